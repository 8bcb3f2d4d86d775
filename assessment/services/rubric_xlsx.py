"""The rubric workbook, both ways: its columns (shared with `assessment.exports`, which writes
it), reading an uploaded workbook back into specs, and importing it.

Sheets, by position: 1. the rubric (one row per item, then one row per deduction line),
2. settings (key, setting, value), 3. grade bands (grade, from), 4. instructions (ignored on
upload). Columns are found by their header (in Chinese or English, or the key), so a workbook
of the earlier ten-column layout still reads. Every error is collected with its row and column,
and the upload is refused whole: nothing is saved unless all of it is valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from assessment.models import (
    DeductionKind,
    Grade,
    GradeBasis,
    GradeTotal,
    ItemKind,
    VetoConsequence,
)
from assessment.services.common import AssessmentError, _require_staff
from assessment.services.rubrics import (
    BandSpec,
    DeductionSpec,
    ItemSpec,
    RubricSettings,
    SectionSpec,
    rubric_create,
)
from core.errors import ServiceError
from core.uploads import check_zip_archive

RUBRIC_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
MAX_ERRORS = 20


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy
    width: int
    choices: type | None = None  # a TextChoices whose labels fill the drop-down
    aliases: tuple = ()


YES_NO = "yes_no"

COLUMNS: list[Column] = [
    Column("section", gettext_lazy("Section"), 14),
    Column("code", gettext_lazy("Code"), 8),
    Column("title", gettext_lazy("Item"), 28),
    Column("criterion", gettext_lazy("Criterion"), 44),
    Column("max_points", gettext_lazy("Maximum points"), 10),
    Column(
        "kind",
        gettext_lazy("Kind"),
        10,
        ItemKind,
        aliases=(gettext_lazy("Kind (normal/bonus/veto)"),),
    ),
    Column("cumulative", gettext_lazy("Lines add up (no = 不累计)"), 12, YES_NO),
    Column("veto_consequence", gettext_lazy("Veto consequence"), 22, VetoConsequence),
    Column("veto_grade", gettext_lazy("Veto grade"), 10, Grade),
    Column("metric", gettext_lazy("Evidence metric"), 18),
    Column("metric_params", gettext_lazy("Metric parameters (JSON)"), 22),
    Column("deduction", gettext_lazy("Deduction"), 36),
    Column("deduction_kind", gettext_lazy("Deduction kind"), 16, DeductionKind),
    Column("deduction_points", gettext_lazy("Deduction points"), 10),
    Column("unit", gettext_lazy("Unit"), 8),
    Column("cap", gettext_lazy("At most"), 8),
]
SETTINGS = [
    ("title", gettext_lazy("Title")),
    ("max_total", gettext_lazy("Declared maximum total")),
    ("bonus_cap", gettext_lazy("Bonus cap")),
    ("bonus_cumulative", gettext_lazy("Bonus items add up (no = 不累计)")),
    ("grade_basis", gettext_lazy("Grade bands in")),
    ("grade_total", gettext_lazy("Grade bands apply to")),
]
BAND_COLUMNS = [pgettext_lazy("assessment", "Grade"), gettext_lazy("From (points or %)")]


def yes_no_labels() -> list[str]:
    return [str(_("Yes")), str(_("No"))]


def choice_label(choices, value: str) -> str:
    return str(choices(value).label) if value else ""


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _names(text) -> set[str]:
    """A header or value as every form it may take: this language, English, the key."""
    names = {str(text).strip().lower()}
    with override("en"):
        names.add(str(text).strip().lower())
    return names


class _Errors:
    def __init__(self, sheet: str):
        self.sheet = sheet
        self.messages: list[str] = []

    def add(self, row: int, column: int | None, label, message: str) -> None:
        if column is None:
            where = _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": self.sheet, "row": row}
        else:
            where = _("Sheet “%(sheet)s”, row %(row)s, column %(col)s (%(label)s)") % {
                "sheet": self.sheet,
                "row": row,
                "col": get_column_letter(column),
                "label": label,
            }
        self.messages.append(f"{where}：{message}")


def _choice(choices, text: str) -> str | None:
    """A choice's key from its key, its label in this language or in English."""
    wanted = text.strip().lower()
    for value, label in choices.choices:
        if wanted == value or wanted in _names(label):
            return value
    return None


def _yes_no(text: str) -> bool | None:
    wanted = text.strip().lower()
    if wanted in ("", "yes", "y", "true", "1", "是") or wanted in _names(_("Yes")):
        return True
    if wanted in ("no", "n", "false", "0", "否") or wanted in _names(_("No")):
        return False
    return None


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _read_rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _header_map(header: tuple, errors: _Errors) -> dict[str, int]:
    """Column key → 0-based index, found by header text."""
    known: dict[str, str] = {}
    for column in COLUMNS:
        for text in (column.label, *column.aliases):
            for name in _names(text):
                known[name] = column.key
        known[column.key] = column.key
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        key = known.get(_cell_text(text).lower())
        if key and key not in found:
            found[key] = index
    for key in ("code", "title", "max_points"):
        if key not in found:
            label = next(c.label for c in COLUMNS if c.key == key)
            errors.add(1, None, "", _("the column “%(label)s” is missing.") % {"label": label})
    return found


def _parse_items(rows: list[tuple], errors: _Errors) -> list[SectionSpec]:
    if not rows:
        errors.add(1, None, "", _("the sheet is empty."))
        return []
    columns = _header_map(rows[0], errors)
    if errors.messages:
        return []
    labels = {c.key: c.label for c in COLUMNS}
    sections: list[SectionSpec] = []
    current: ItemSpec | None = None
    for number, values in enumerate(rows[1:], start=2):
        cells = {
            key: _cell_text(values[i]) if i < len(values) else "" for key, i in columns.items()
        }
        if not any(cells.values()):
            continue

        def bad(key, message, number=number):
            errors.add(number, columns[key] + 1, labels[key], message)

        def number_of(key, *, required=True, cells=cells):
            text = cells.get(key, "")
            if not text:
                if required:
                    bad(key, _("give a number."))
                return None
            value = _decimal(text)
            if value is None:
                bad(key, _("“%(value)s” is not a number.") % {"value": text})
            elif value < 0:
                bad(key, _("the number cannot be negative."))
                value = None
            return value

        def choice_of(key, choices, default, cells=cells):
            text = cells.get(key, "")
            if not text:
                return default
            value = _choice(choices, text)
            if value is None:
                allowed = "、".join(str(label) for _v, label in choices.choices)
                bad(
                    key,
                    _("“%(value)s” is not one of: %(allowed)s.")
                    % {"value": text, "allowed": allowed},
                )
                return default
            return value

        if cells.get("title"):
            if not cells.get("code"):
                bad("code", _("the item has no code."))
            section = cells.get("section", "")
            if not section and not sections:
                errors.add(
                    number, columns.get("section", 0) + 1, labels["section"], _("give the section.")
                )
                section = "—"
            if section and (not sections or sections[-1].title != section):
                sections.append(SectionSpec(title=section))
            kind = choice_of("kind", ItemKind, ItemKind.NORMAL)
            maximum = number_of("max_points", required=kind != ItemKind.VETO)
            parameters: dict = {}
            if cells.get("metric_params"):
                try:
                    parameters = json.loads(cells["metric_params"])
                except ValueError:
                    bad("metric_params", _("the metric parameters are not valid JSON."))
                if not isinstance(parameters, dict):
                    bad("metric_params", _("the metric parameters must be a mapping {…}."))
                    parameters = {}
            cumulative = _yes_no(cells.get("cumulative", ""))
            if cumulative is None:
                bad("cumulative", _("answer yes or no."))
            current = ItemSpec(
                code=cells.get("code", ""),
                title=cells["title"],
                criterion=cells.get("criterion", ""),
                max_points=maximum if maximum is not None else Decimal("0"),
                kind=kind,
                cumulative=cumulative is not False,
                veto_consequence=choice_of(
                    "veto_consequence", VetoConsequence, VetoConsequence.FAIL
                ),
                veto_grade=choice_of("veto_grade", Grade, ""),
                metric=cells.get("metric") or None,
                metric_params=parameters,
            )
            sections[-1].items.append(current)
        elif not cells.get("deduction"):
            bad("title", _("the item has no title."))
        if cells.get("deduction"):
            if current is None:
                bad("deduction", _("a deduction line before any item."))
                continue
            kind = choice_of("deduction_kind", DeductionKind, DeductionKind.FIXED)
            points = number_of("deduction_points", required=kind != DeductionKind.ZERO)
            cap = number_of("cap", required=False) if "cap" in columns else None
            current.deductions.append(
                DeductionSpec(
                    text=cells["deduction"],
                    kind=kind,
                    points=points if points is not None else Decimal("0"),
                    unit=cells.get("unit", ""),
                    cap=cap,
                )
            )
    if not sections and not errors.messages:
        errors.add(2, None, "", _("the workbook holds no rubric items."))
    return sections


def _parse_settings(rows: list[tuple], errors: _Errors) -> dict:
    values: dict = {}
    for number, row in enumerate(rows[1:], start=2):
        if row and row[0]:
            values[_cell_text(row[0])] = (number, row[-1])
    result: dict = {}
    for key in ("max_total", "bonus_cap"):
        if key in values:
            number, raw = values[key]
            value = _decimal(_cell_text(raw) or "0")
            if value is None or value < 0:
                errors.add(number, 3, dict(SETTINGS)[key], _("give a number."))
            else:
                result[key] = value
    if "title" in values:
        result["title"] = _cell_text(values["title"][1])
    if "bonus_cumulative" in values:
        number, raw = values["bonus_cumulative"]
        answer = _yes_no(_cell_text(raw))
        if answer is None:
            errors.add(number, 3, dict(SETTINGS)["bonus_cumulative"], _("answer yes or no."))
        else:
            result["bonus_cumulative"] = answer
    for key, choices in (("grade_basis", GradeBasis), ("grade_total", GradeTotal)):
        if key in values and _cell_text(values[key][1]):
            number, raw = values[key]
            value = _choice(choices, _cell_text(raw))
            if value is None:
                allowed = "、".join(str(label) for _v, label in choices.choices)
                errors.add(
                    number,
                    3,
                    dict(SETTINGS)[key],
                    _("“%(value)s” is not one of: %(allowed)s.")
                    % {"value": _cell_text(raw), "allowed": allowed},
                )
            else:
                result[key] = value
    return result


def _parse_bands(rows: list[tuple], errors: _Errors) -> list[BandSpec]:
    bands = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_cell_text(v) for v in (list(row) + [None, None])[:2]]
        if not any(cells):
            continue
        grade = _choice(Grade, cells[0])
        if grade is None:
            allowed = "、".join(str(label) for _v, label in Grade.choices)
            errors.add(
                number,
                1,
                BAND_COLUMNS[0],
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": cells[0], "allowed": allowed},
            )
            continue
        minimum = _decimal(cells[1])
        if minimum is None or minimum < 0:
            errors.add(number, 2, BAND_COLUMNS[1], _("give a number."))
            continue
        bands.append(BandSpec(grade, minimum))
    return bands


@dataclass
class ParsedRubric:
    settings: dict
    sections: list[SectionSpec]
    bands: list[BandSpec] | None  # None: the workbook has no band sheet


def rubric_parse_workbook(file) -> ParsedRubric:
    """Read a rubric workbook; every error, with its sheet, row and column, in one refusal."""
    if getattr(file, "size", 0) and file.size > RUBRIC_UPLOAD_MAX_BYTES:
        raise AssessmentError(_("The file is larger than 2 MB."))
    try:
        check_zip_archive(file)  # before openpyxl inflates anything
    except ServiceError as exc:
        raise AssessmentError(str(exc)) from exc
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # not an .xlsx workbook at all
        raise AssessmentError(_("The file is not an Excel (.xlsx) workbook.")) from exc
    try:
        sheets = workbook.worksheets
        titles = [ws.title for ws in sheets]
        content = [_read_rows(ws) for ws in sheets[:3]]
    finally:
        workbook.close()
    messages: list[str] = []
    item_errors = _Errors(titles[0])
    sections = _parse_items(content[0], item_errors)
    messages += item_errors.messages
    settings: dict = {}
    if len(content) > 1:
        setting_errors = _Errors(titles[1])
        settings = _parse_settings(content[1], setting_errors)
        messages += setting_errors.messages
    bands = None
    if len(content) > 2:
        band_errors = _Errors(titles[2])
        bands = _parse_bands(content[2], band_errors)
        messages += band_errors.messages
    if messages:
        shown = messages[:MAX_ERRORS]
        if len(messages) > MAX_ERRORS:
            shown.append(_("and %(n)s more.") % {"n": len(messages) - MAX_ERRORS})
        raise AssessmentError(
            _("The workbook was not imported, nothing was saved: %(errors)s")
            % {"errors": "；".join(shown)}
        )
    return ParsedRubric(settings=settings, sections=sections, bands=bands)


def rubric_parse_xlsx(file) -> tuple[dict, list[SectionSpec]]:
    """(settings, sections) of a workbook (the demo's and the earlier callers' shape)."""
    parsed = rubric_parse_workbook(file)
    return parsed.settings, parsed.sections


@transaction.atomic
def rubric_import(*, file, year: int, category: str, replace: bool = False, acting_user):
    """Create a rubric from an uploaded workbook; nothing is saved unless all of it is valid."""
    _require_staff(acting_user, "assessment.change_rubric")
    parsed = rubric_parse_workbook(file)
    settings = parsed.settings
    defaults = RubricSettings(title="")
    title = settings.get("title") or _("%(year)s assessment rubric") % {"year": year}
    return rubric_create(
        year=year,
        category=category,
        title=title,
        sections=parsed.sections,
        max_total=settings.get("max_total", defaults.max_total),
        bonus_cap=settings.get("bonus_cap", defaults.bonus_cap),
        bonus_cumulative=settings.get("bonus_cumulative", defaults.bonus_cumulative),
        grade_basis=settings.get("grade_basis", defaults.grade_basis),
        grade_total=settings.get("grade_total", defaults.grade_total),
        bands=parsed.bands if parsed.bands else None,
        replace=replace,
    )
