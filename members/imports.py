"""Excel import of the roster: template, validation of every row, then one atomic write.

Flow (views.py): upload → `read_workbook()` + `validate_rows()` (nothing written) → preview
listing each problem by row, column and message → confirm → `import_rows()` in one transaction
(updates members matched by ID number, creates the rest; never a duplicate).
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from branches.models import Community, Organization
from core.errors import ServiceError
from core.history import bulk_create_with_action, bulk_update_with_action
from core.signals import announce_records_changed
from core.uploads import check_zip_archive
from core.xlsx import openpyxl_page_setup
from members.columns import (
    COLUMNS,
    EXAMPLE_MARK,
    choice_labels,
    choice_lookup,
    column_for_header,
    header_titles,
    yes_no,
    zh,
)
from members.identity import (
    birth_and_gender,
    make_id_number,
    normalize_id_number,
    pinyin_initials,
)
from members.models import Member, Skill
from members.selectors import relation_organizations_for
from members.services import MemberError, may_change_member

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
DATE_TEXT = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
SKILL_SEPARATORS = re.compile(r"[、，,;；/\s]+")


class ImportRefused(MemberError):
    """The whole file is refused (not .xlsx, too big, too many rows, missing columns)."""


# An ID number held by a member the user may not change gets the message of any refused row:
# saying "this person belongs to an organization you do not keep" tells that the person is a
# party member somewhere (issue 18).
ROW_REFUSED = pgettext_lazy(
    "import", "This row cannot be imported. Check the ID number; if it is right, ask bureau staff."
)


@dataclass(frozen=True)
class Problem:
    """One problem of the file, said so that the person can fix it."""

    row: int  # the spreadsheet's row number, as the user sees it
    name: str  # the person's name in that row
    column: str  # the column's Chinese header
    value: str  # what the cell holds
    message: str  # what is wrong and what to do


@dataclass
class ParsedRow:
    number: int  # the spreadsheet's row number, as the user sees it
    values: dict = field(default_factory=dict)
    skills: list[str] | None = None  # None: the file has no skills column
    member: Member | None = None  # the existing member matched by ID number
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    raw: dict = field(default_factory=dict)  # field → the cell as read

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        return _text(self.raw.get("name"))

    def problems(self) -> list[Problem]:
        return [
            Problem(
                row=self.number,
                name=self.name,
                column=header,
                value=_shown(self.raw.get(_header_fields().get(header, ""))),
                message=message,
            )
            for header, message in self.errors
        ]


@dataclass
class ImportCheck:
    rows: list[ParsedRow]

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def problems(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.problems()]

    @property
    def invalid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if not row.is_valid]

    @property
    def invalid_count(self) -> int:
        return sum(1 for row in self.rows if not row.is_valid)

    @property
    def valid_count(self) -> int:
        return len(self.rows) - self.invalid_count

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.valid_rows if row.member is None)

    @property
    def update_count(self) -> int:
        return sum(1 for row in self.valid_rows if row.member is not None)


# --- Template ------------------------------------------------------------------------------


def build_template(user) -> bytes:
    """The import template: Chinese headers, drop-downs for every enumeration, an example row.

    Written with openpyxl's normal mode (core.xlsx streams exports and has no data
    validation); the template is small.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = zh(_("Members"))
    options = workbook.create_sheet(zh(_("Options")))
    sheet.append(header_titles())
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    openpyxl_page_setup(sheet)

    lists: dict[str, list[str]] = {}
    for column in COLUMNS:
        if column.choices is not None:
            lists[column.field] = choice_labels(column.choices)
        elif column.kind == "bool":
            lists[column.field] = list(yes_no())
        elif column.kind == "organization":
            lists[column.field] = list(
                relation_organizations_for(user).values_list("name", flat=True)
            )
        elif column.kind == "community":
            lists[column.field] = list(Community.objects.values_list("name", flat=True))
    for col_index, (field_name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col_index)
        options.cell(row=1, column=col_index, value=field_name)
        for row_index, value in enumerate(values, start=2):
            options.cell(row=row_index, column=col_index, value=value)
        target = next(i for i, c in enumerate(COLUMNS, start=1) if c.field == field_name)
        if not values:
            continue
        validation = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(options.title)}!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
        )
        validation.add(f"{get_column_letter(target)}2:{get_column_letter(target)}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)
    options.sheet_state = "hidden"

    example_born = datetime.date(1950, 3, 1)
    organizations = lists.get("organization") or [""]
    example = {
        "name": EXAMPLE_MARK + "王建国",
        "gender": lists["gender"][0],
        "ethnicity": "汉族",
        "id_number": make_id_number("640104", example_born, 12, "male"),
        "birth_date": "1950-03-01",
        "education": lists["education"][5],
        "joined_party_on": "1972.7.1",
        "confirmed_on": "1973年7月1日",
        "category": lists["category"][1],
        "organization": organizations[0],
        "former_unit": "银川市教育局",
        "former_post": "科长",
        "phone": "13912345678",
        "address": "金凤区阅海万家小区",
        "party_standing": lists["party_standing"][0],
        "health": lists["health"][0],
        "skills": "法律、宣讲",
        "willing_to_volunteer": yes_no()[0],
        "registered_community": "",
        "registered_on": "",
    }
    sheet.append([example[c.field] for c in COLUMNS])
    # The ID number column is text: Excel would keep only 15 digits of an 18-digit number.
    id_letter = get_column_letter(
        next(i for i, c in enumerate(COLUMNS, 1) if c.kind == "id_number")
    )
    sheet.column_dimensions[id_letter].number_format = "@"
    sheet[f"{id_letter}2"].number_format = "@"
    notes = workbook.create_sheet(zh(_("Instructions")))
    for line in (
        _("Columns marked * are required. Choose enumerations from the drop-down lists."),
        _("Rows whose name starts with （示例） are examples and are not imported."),
        _("Dates may be written 1950-03-01, 1950.3.1 or 1950年3月1日."),
        _("Members are matched by ID number: an existing member is updated, others are added."),
        _("Gender and birth date may be left empty: they are read from the ID number."),
        _("Keep the ID number column formatted as Text, or Excel drops its last digits."),
        _("Separate several skills with 、"),
    ):
        notes.append([zh(line)])
    notes.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_workbook(check: ImportCheck) -> bytes:
    """The rows with problems, to fix and upload again: the template's columns, as the file
    had them, and a 问题 column saying what to fix in each."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = zh(_("Rows with problems"))
    problem_header = zh(pgettext_lazy("import", "Problem"))
    sheet.append([*header_titles(), problem_header])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    problem_at = len(COLUMNS) + 1
    sheet.cell(row=1, column=problem_at).font = Font(bold=True, color="9C0006")
    sheet.column_dimensions[get_column_letter(problem_at)].width = 60
    sheet.freeze_panes = "A2"
    openpyxl_page_setup(sheet)
    for number, row in enumerate(check.invalid_rows, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            value = row.raw.get(column.field)
            if isinstance(value, datetime.datetime):
                value = value.date()
            cell = sheet.cell(row=number, column=index)
            if isinstance(value, datetime.date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif value is not None and value != "":
                # Text stays text (an ID number, or "=…" typed by someone: never a formula).
                cell.value = _shown(value)
                cell.data_type = "s"
                cell.number_format = "@"
        cell = sheet.cell(
            row=number,
            column=problem_at,
            value="；".join(f"{header}：{message}" for header, message in row.errors),
        )
        cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading -------------------------------------------------------------------------------


def read_workbook(fileobj, *, name: str = "", size: int | None = None) -> tuple[list, list]:
    """(columns in file order, list of (row number, raw values)); raises ImportRefused."""
    if name and not name.lower().endswith(".xlsx"):
        raise ImportRefused(_("Only Excel .xlsx files can be imported."))
    if size is not None and size > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 5 MB."))
    try:
        check_zip_archive(fileobj)  # before openpyxl inflates anything
    except ServiceError as exc:
        raise ImportRefused(str(exc)) from exc
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(
            _("The file could not be read as an Excel .xlsx workbook (is it damaged?).")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns = [column_for_header(str(title)) if title is not None else None for title in header]
        missing = [c for c in COLUMNS if c.required and c not in columns]
        if missing:
            raise ImportRefused(
                _("Required columns are missing: %(columns)s. Please use the template.")
                % {"columns": "、".join(zh(c.label) for c in missing)}
            )
        data = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            if len(data) >= MAX_ROWS:
                raise ImportRefused(
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            data.append((number, values))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(
            _("The file could not be read as an Excel .xlsx workbook (is it damaged?).")
        ) from exc
    finally:
        workbook.close()
    return columns, data


def parse_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    match = DATE_TEXT.match(text)
    if not match and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValueError
    return datetime.date(*(int(part) for part in match.groups()))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _shown(value) -> str:
    """A cell as the problem list shows it (dates as 1950-03-01)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return _text(value)


# Excel keeps 15 significant digits of a number: an 18-digit ID number typed into a cell that
# is not formatted as text loses its last three (6.40104195003011E+17 → …011000).
EXCEL_DIGITS = 15
SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$")


def read_id_number(value) -> tuple[str, str | None]:
    """(the ID number as text, None) or (what was found, why it cannot be read).

    A whole number the spreadsheet holds exactly (an int, or a float of at most 15 digits) is
    the same number written as text; a longer float or text like 6.40104E+17 lost its last
    digits when Excel turned it into a number.
    """
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int):
        return str(value), None
    lost = _(
        "Excel turned this ID number into a number and lost its last digits. Format the "
        "column as Text, type the number again and upload the file again."
    )
    if isinstance(value, float):
        if value.is_integer() and len(str(int(value))) <= EXCEL_DIGITS:
            return str(int(value)), None
        return _shown(value), lost
    number = normalize_id_number(_text(value))
    if SCIENTIFIC.match(number):
        return _text(value), lost
    return number, None


def validate_rows(user, columns: list, data: list) -> ImportCheck:
    """Check every row; nothing is written."""
    lookups = {c.field: choice_lookup(c.choices) for c in COLUMNS if c.choices is not None}
    yes, no = yes_no()
    organizations: dict[str, list[Organization]] = {}
    for organization in relation_organizations_for(user):
        organizations.setdefault(organization.name, []).append(organization)
    communities: dict[str, list[Community]] = {}
    for community in Community.objects.all():
        communities.setdefault(community.name, []).append(community)
    skill_names = set(Skill.objects.values_list("name", flat=True))

    id_index = next(i for i, c in enumerate(columns) if c is not None and c.field == "id_number")
    numbers = {read_id_number(values[id_index])[0] for _n, values in data if id_index < len(values)}
    existing: dict[str, Member] = {}
    numbers_list = [n for n in numbers if n]
    for start in range(0, len(numbers_list), 2000):
        for member in Member.objects.select_related("organization").filter(
            id_number__in=numbers_list[start : start + 2000]
        ):
            existing[member.id_number] = member

    seen: dict[str, int] = {}
    rows = []
    for number, values in data:
        row = ParsedRow(number=number)
        rows.append(row)
        raw = {}
        for index, column in enumerate(columns):
            if column is not None and index < len(values):
                raw[column.field] = values[index]
        row.raw = raw
        if _text(raw.get("name")).startswith(EXAMPLE_MARK):
            rows.pop()
            continue
        _parse_row(row, raw, lookups, yes, no, organizations, communities, skill_names)
        _derive_from_id_number(row)
        id_number = row.values.get("id_number", "")
        if id_number:
            if id_number in seen:
                row.errors.append(
                    (
                        zh(pgettext_lazy("member column", "ID number")),
                        _(
                            "The same ID number is already in row %(row)s: keep only one of the rows."
                        )
                        % {"row": seen[id_number]},
                    )
                )
            seen.setdefault(id_number, number)
        _check_member(user, row, existing.get(id_number))
    return ImportCheck(rows=rows)


# Read from a valid ID number when the row leaves them empty (issue 19: not asked twice).
FROM_ID_NUMBER = ("birth_date", "gender")


def _derive_from_id_number(row: ParsedRow) -> None:
    derived = birth_and_gender(row.values.get("id_number", ""))
    for index, name in enumerate(FROM_ID_NUMBER):
        if row.values.get(name):
            continue
        header = zh(FIELD_COLUMNS[name].label)
        if any(h == header for h, _m in row.errors):
            continue
        if derived:
            row.values[name] = derived[index]
        else:
            row.errors.append(
                (header, _("Empty: fill it in, or give a valid ID number to read it from."))
            )


def _parse_row(row, raw, lookups, yes, no, organizations, communities, skill_names) -> None:
    for column in COLUMNS:
        if column.field not in raw and not column.required:
            continue  # a column the file does not have leaves the field as it is
        value = raw.get(column.field)
        text = _text(value) if not isinstance(value, (datetime.date, datetime.datetime)) else value
        header = zh(column.label)
        if text in ("", None):
            if column.required:
                row.errors.append((header, _("Empty: this column is required; fill it in.")))
            elif column.kind == "bool":
                row.values[column.field] = False
            elif column.kind == "date" or column.kind in ("organization", "community"):
                row.values[column.field] = None
            elif column.kind == "skills":
                row.skills = []
            elif column.choices is None and Member._meta.get_field(column.field).blank:
                row.values[column.field] = ""
            continue
        if column.choices is not None:
            code = lookups[column.field].get(str(text).lower())
            if code is None:
                row.errors.append(
                    (
                        header,
                        _("Not one of the choices: choose %(choices)s.")
                        % {"choices": "、".join(choice_labels(column.choices))},
                    )
                )
            else:
                row.values[column.field] = code
        elif column.kind == "date":
            try:
                row.values[column.field] = parse_date(value)
            except ValueError:
                row.errors.append((header, _("Not a date: write it like 1950-03-01.")))
        elif column.kind == "bool":
            if text in (yes, "是", "yes", "Yes", "1", "Y", "y", "TRUE", "True"):
                row.values[column.field] = True
            elif text in (no, "否", "no", "No", "0", "N", "n", "FALSE", "False"):
                row.values[column.field] = False
            else:
                row.errors.append((header, _("Write 是 or 否.")))
        elif column.kind == "skills":
            names = [n for n in SKILL_SEPARATORS.split(text) if n]
            unknown = [n for n in names if n not in skill_names]
            if unknown:
                row.errors.append(
                    (
                        header,
                        _("Unknown skill: %(names)s. Use the skills of the list: %(known)s.")
                        % {"names": "、".join(unknown), "known": "、".join(sorted(skill_names))},
                    )
                )
            row.skills = [n for n in names if n in skill_names]
        elif column.kind in ("organization", "community"):
            found = (organizations if column.kind == "organization" else communities).get(text, [])
            if len(found) == 1:
                row.values[column.field] = found[0]
            elif not found:
                message = (
                    _(
                        "None of your organizations has this name: choose one from the template's list."
                    )
                    if column.kind == "organization"
                    else _("No community has this name: choose one from the template's list.")
                )
                row.errors.append((header, message))
            else:
                row.errors.append(
                    (
                        header,
                        _("Several have this name: ask bureau staff which one to write."),
                    )
                )
        elif column.kind == "id_number":
            number, problem = read_id_number(value)
            if problem:
                row.errors.append((header, problem))
            else:
                row.values[column.field] = number
        else:
            row.values[column.field] = text


FIELD_COLUMNS = {c.field: c for c in COLUMNS}


@functools.cache
def _header_fields() -> dict[str, str]:
    """Chinese header → field (the problems name their column by its header)."""
    return {zh(c.label): c.field for c in COLUMNS}


def _check_member(user, row: ParsedRow, existing: Member | None) -> None:
    """Model validation of the row (as an update of `existing` or a new member)."""
    if row.errors and "id_number" not in row.values:
        return
    values = dict(row.values)
    organization = values.pop("organization", None)
    if existing is not None:
        row.member = existing
        if not may_change_member(user, existing):
            row.errors.append((zh(pgettext_lazy("member column", "ID number")), str(ROW_REFUSED)))
            return
        if organization is not None and organization.pk != existing.organization_id:
            row.errors.append(
                (
                    zh(pgettext_lazy("member column", "Organization")),
                    _(
                        "The member's relation is in %(org)s: write that organization, or "
                        "request a transfer on the member's page."
                    )
                    % {"org": existing.organization.name},
                )
            )
        member = Member(
            **{f.attname: getattr(existing, f.attname) for f in Member._meta.concrete_fields}
        )
    else:
        member = Member(organization=organization) if organization else Member()
    for name, value in values.items():
        setattr(member, name, value)
    headers_with_errors = {header for header, _message in row.errors}
    failed = [c.field for c in COLUMNS if zh(c.label) in headers_with_errors]
    for check in (
        lambda: member.clean_fields(exclude=["organization", "registered_community", *failed]),
        member.clean,
    ):
        try:
            check()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = FIELD_COLUMNS.get(name)
                header = zh(column.label) if column else name
                for message in messages:
                    message = str(message)
                    if name == "id_number":
                        message = f"{message} {_('Check it against the ID card.')}"
                    if (header, message) not in row.errors:
                        row.errors.append((header, message))
    row.values = {
        **values,
        "organization": organization,
        "id_number": member.id_number,
        "phone": member.phone,
    }


@transaction.atomic
def import_rows(user, check: ImportCheck, *, expected: tuple[int, int]) -> tuple[int, int]:
    """Write the valid rows in one transaction, skipping the rows with problems: (created,
    updated).

    `expected` is (rows to import, rows to skip) as the preview showed them under the 导入
    button; when the file's check now says otherwise (the roster changed in between) nothing
    is written (MemberError), and anything failing during the write leaves nothing either.
    """
    if (check.valid_count, check.invalid_count) != tuple(expected):
        raise MemberError(
            _(
                "The roster changed since the file was checked (now %(valid)s rows can be "
                "imported and %(invalid)s are skipped); nothing was imported. Please check the "
                "file again."
            )
            % {"valid": check.valid_count, "invalid": check.invalid_count}
        )
    if not check.valid_count:
        raise MemberError(_("No row of the file can be imported; nothing was imported."))
    rows = check.valid_rows
    skill_ids = dict(Skill.objects.values_list("name", "pk"))
    to_create, to_update = [], []
    update_fields = set()
    for row in rows:
        values = dict(row.values)
        organization = values.pop("organization", None)
        if row.member is None:
            member = Member(organization=organization, **values)
            to_create.append((member, row))
        else:
            member = row.member
            for name, value in values.items():
                setattr(member, name, value)
            update_fields.update(values)
            to_update.append((member, row))
        member.name_initials = pinyin_initials(member.name)
    created = [m for m, _r in to_create]
    if created:
        bulk_create_with_action(
            Member, created, "members.member.import_create", acting_user=user, batch_size=1000
        )
        # bulk_create_with_history may not set pks on every backend: read them back.
        ids = dict(
            Member.objects.filter(id_number__in=[m.id_number for m in created]).values_list(
                "id_number", "pk"
            )
        )
        for member in created:
            member.pk = ids[member.id_number]
    if to_update:
        fields = sorted(update_fields | {"name_initials"})
        bulk_update_with_action(
            Member,
            [m for m, _r in to_update],
            fields,
            "members.member.import_update",
            acting_user=user,
            batch_size=1000,
        )
    Through = Member.skills.through
    with_skills = [(m, r) for m, r in to_create + to_update if r.skills is not None]
    touched = [m.pk for m, _r in with_skills]
    for start in range(0, len(touched), 2000):
        Through.objects.filter(member_id__in=touched[start : start + 2000]).delete()
    Through.objects.bulk_create(
        [
            Through(member_id=member.pk, skill_id=skill_ids[name])
            for member, row in with_skills
            for name in dict.fromkeys(row.skills)
        ],
        batch_size=2000,
    )
    # bulk writes send no post_save: tell the caches above (the 首页) once this commits.
    announce_records_changed(Member)
    return len(to_create), len(to_update)
