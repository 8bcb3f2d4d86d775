"""Excel import of the roster: template, validation of every row, then one atomic write.

Flow (views.py): upload → `read_workbook()` + `validate_rows()` (nothing written) → preview
listing each problem by row, column and message → confirm → `import_rows()` in one transaction
(updates members matched by ID number, creates the rest; never a duplicate).
"""

from __future__ import annotations

import datetime
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
from core.history import bulk_create_with_action, bulk_update_with_action
from core.signals import announce_records_changed
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
from members.identity import make_id_number, normalize_id_number, pinyin_initials
from members.models import Member, Skill
from members.selectors import relation_organizations_for
from members.services import MemberError, may_change_member

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
DATE_TEXT = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
SKILL_SEPARATORS = re.compile(r"[、，,;；/\s]+")


class ImportRefused(MemberError):
    """The whole file is refused (not .xlsx, too big, too many rows, missing columns)."""


@dataclass
class ParsedRow:
    number: int  # the spreadsheet's row number, as the user sees it
    values: dict = field(default_factory=dict)
    skills: list[str] | None = None  # None: the file has no skills column
    member: Member | None = None  # the existing member matched by ID number
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportCheck:
    rows: list[ParsedRow]

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def problems(self) -> list[tuple[int, str, str]]:
        return [(row.number, col, msg) for row in self.rows for col, msg in row.errors]

    @property
    def invalid_count(self) -> int:
        return sum(1 for row in self.rows if not row.is_valid)

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
    notes = workbook.create_sheet(zh(_("Instructions")))
    for line in (
        _("Columns marked * are required. Choose enumerations from the drop-down lists."),
        _("Rows whose name starts with （示例） are examples and are not imported."),
        _("Dates may be written 1950-03-01, 1950.3.1 or 1950年3月1日."),
        _("Members are matched by ID number: an existing member is updated, others are added."),
        _("Separate several skills with 、"),
    ):
        notes.append([zh(line)])
    notes.column_dimensions["A"].width = 90
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
    numbers = {
        normalize_id_number(_text(values[id_index]))
        for _n, values in data
        if id_index < len(values)
    }
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
        if _text(raw.get("name")).startswith(EXAMPLE_MARK):
            rows.pop()
            continue
        _parse_row(row, raw, lookups, yes, no, organizations, communities, skill_names)
        id_number = row.values.get("id_number", "")
        if id_number:
            if id_number in seen:
                row.errors.append(
                    (
                        zh(pgettext_lazy("member column", "ID number")),
                        _("The same ID number is already in row %(row)s.")
                        % {"row": seen[id_number]},
                    )
                )
            seen.setdefault(id_number, number)
        _check_member(user, row, existing.get(id_number))
    return ImportCheck(rows=rows)


def _parse_row(row, raw, lookups, yes, no, organizations, communities, skill_names) -> None:
    for column in COLUMNS:
        if column.field not in raw and not column.required:
            continue  # a column the file does not have leaves the field as it is
        value = raw.get(column.field)
        text = _text(value) if not isinstance(value, (datetime.date, datetime.datetime)) else value
        header = zh(column.label)
        if text in ("", None):
            if column.required:
                row.errors.append((header, _("This column is required.")))
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
                        _("“%(value)s” is not one of the choices in the list.") % {"value": text},
                    )
                )
            else:
                row.values[column.field] = code
        elif column.kind == "date":
            try:
                row.values[column.field] = parse_date(value)
            except ValueError:
                row.errors.append(
                    (header, _("“%(value)s” is not a date like 1950-03-01.") % {"value": text})
                )
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
                    (header, _("Unknown skill: %(names)s.") % {"names": "、".join(unknown)})
                )
            row.skills = [n for n in names if n in skill_names]
        elif column.kind in ("organization", "community"):
            found = (organizations if column.kind == "organization" else communities).get(text, [])
            if len(found) == 1:
                row.values[column.field] = found[0]
            elif not found:
                message = (
                    _("No organization of yours is called “%(value)s”.")
                    if column.kind == "organization"
                    else _("No community is called “%(value)s”.")
                )
                row.errors.append((header, message % {"value": text}))
            else:
                row.errors.append(
                    (
                        header,
                        _("Several have the name “%(value)s”; ask bureau staff.") % {"value": text},
                    )
                )
        elif column.kind == "id_number":
            row.values[column.field] = normalize_id_number(text)
        else:
            row.values[column.field] = text


FIELD_COLUMNS = {c.field: c for c in COLUMNS}


def _check_member(user, row: ParsedRow, existing: Member | None) -> None:
    """Model validation of the row (as an update of `existing` or a new member)."""
    if row.errors and "id_number" not in row.values:
        return
    values = dict(row.values)
    organization = values.pop("organization", None)
    if existing is not None:
        row.member = existing
        if not may_change_member(user, existing):
            row.errors.append(
                (
                    zh(pgettext_lazy("member column", "ID number")),
                    _("This member belongs to an organization you do not keep."),
                )
            )
            return
        if organization is not None and organization.pk != existing.organization_id:
            row.errors.append(
                (
                    zh(pgettext_lazy("member column", "Organization")),
                    _("The member's relation is in %(org)s; move it with a transfer.")
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
                    if (header, str(message)) not in row.errors:
                        row.errors.append((header, str(message)))
    row.values = {
        **values,
        "organization": organization,
        "id_number": member.id_number,
        "phone": member.phone,
    }


@transaction.atomic
def import_rows(user, check: ImportCheck, *, only_valid: bool = False) -> tuple[int, int]:
    """Write the checked rows in one transaction: (created, updated).

    With any invalid row and `only_valid` False nothing is written (MemberError).
    """
    if check.invalid_count and not only_valid:
        raise MemberError(_("The file has rows with problems; nothing was imported."))
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
