"""Rubrics: create, validate, copy, and the Excel upload (parse and import)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from assessment.metrics import REGISTRY
from assessment.models import (
    ZERO,
    DeductionRule,
    Item,
    ItemKind,
    Rubric,
    Section,
    fmt_points,
)
from assessment.services.common import AssessmentError, _require_staff, _validation_message

# --- Rubrics -------------------------------------------------------------------------------


def rubric_problems(rubric: Rubric) -> list[str]:
    """What is wrong with a rubric (empty when it is valid)."""
    problems: list[str] = []
    items = list(rubric.items.prefetch_related("deductions"))
    if not items:
        problems.append(_("The rubric has no items."))
    normal_total = sum((i.max_points for i in items if i.kind == ItemKind.NORMAL), ZERO)
    if normal_total != rubric.max_total:
        problems.append(
            _("The normal items add up to %(sum)s points, but the rubric declares %(total)s.")
            % {"sum": fmt_points(normal_total), "total": fmt_points(rubric.max_total)}
        )
    has_bonus = any(i.kind == ItemKind.BONUS for i in items)
    if has_bonus and rubric.bonus_cap <= 0:
        problems.append(_("The rubric has bonus items but no bonus cap."))
    for item in items:
        deducted = sum((d.points for d in item.deductions.all()), ZERO)
        if item.kind == ItemKind.VETO:
            if item.max_points != ZERO:
                problems.append(
                    _("%(code)s: a veto item carries no points (maximum 0).") % {"code": item.code}
                )
            continue
        if deducted > item.max_points:
            problems.append(
                _("%(code)s: its deductions add up to %(sum)s, more than its maximum %(max)s.")
                % {
                    "code": item.code,
                    "sum": fmt_points(deducted),
                    "max": fmt_points(item.max_points),
                }
            )
    return problems


def rubric_validate(rubric: Rubric) -> None:
    problems = rubric_problems(rubric)
    if problems:
        raise AssessmentError(" ".join(problems))


@dataclass
class DeductionSpec:
    text: str
    points: Decimal


@dataclass
class ItemSpec:
    code: str
    title: str
    max_points: Decimal
    kind: str = ItemKind.NORMAL
    criterion: str = ""
    metric: str | None = None
    metric_params: dict = field(default_factory=dict)
    deductions: list[DeductionSpec] = field(default_factory=list)


@dataclass
class SectionSpec:
    title: str
    items: list[ItemSpec] = field(default_factory=list)


@transaction.atomic
def rubric_create(
    *,
    year: int,
    category: str,
    title: str,
    sections: list[SectionSpec],
    max_total: Decimal = Decimal("100"),
    bonus_cap: Decimal = ZERO,
    replace: bool = False,
) -> Rubric:
    """Create (or, with `replace`, rebuild an unused) rubric; refused unless it validates."""
    existing = Rubric.objects.filter(year=year, category=category).first()
    if existing is not None:
        if not replace:
            raise AssessmentError(
                _("A rubric for %(year)s and this organization type already exists.")
                % {"year": year}
            )
        if existing.assessments.exists():
            raise AssessmentError(
                _("This rubric is already used by a round and cannot be replaced.")
            )
        existing.delete()
    rubric = Rubric(
        year=year, category=category, title=title, max_total=max_total, bonus_cap=bonus_cap
    )
    try:
        rubric.full_clean()
        rubric.save()
        codes: set[str] = set()
        for s_index, spec in enumerate(sections, start=1):
            section = Section(rubric=rubric, title=spec.title, position=s_index)
            section.full_clean()
            section.save()
            for i_index, item_spec in enumerate(spec.items, start=1):
                if item_spec.code in codes:
                    raise AssessmentError(
                        _("Item code %(code)s appears twice.") % {"code": item_spec.code}
                    )
                codes.add(item_spec.code)
                item = Item(
                    rubric=rubric,
                    section=section,
                    code=item_spec.code,
                    title=item_spec.title,
                    criterion=item_spec.criterion,
                    max_points=item_spec.max_points,
                    kind=item_spec.kind,
                    metric=item_spec.metric or None,
                    metric_params=item_spec.metric_params or {},
                    position=i_index,
                )
                if item.metric and item.metric not in REGISTRY:
                    raise ValidationError(
                        {"metric": _("Unknown evidence metric “%(key)s”.") % {"key": item.metric}}
                    )
                item.full_clean()
                item.save()
                for d_index, deduction in enumerate(item_spec.deductions, start=1):
                    rule = DeductionRule(
                        item=item, text=deduction.text, points=deduction.points, position=d_index
                    )
                    rule.full_clean()
                    rule.save()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    rubric_validate(rubric)
    return rubric


def rubric_specs(rubric: Rubric) -> list[SectionSpec]:
    sections = rubric.sections.prefetch_related("items__deductions")
    return [
        SectionSpec(
            title=section.title,
            items=[
                ItemSpec(
                    code=item.code,
                    title=item.title,
                    criterion=item.criterion,
                    max_points=item.max_points,
                    kind=item.kind,
                    metric=item.metric,
                    metric_params=dict(item.metric_params or {}),
                    deductions=[DeductionSpec(d.text, d.points) for d in item.deductions.all()],
                )
                for item in section.items.all()
            ],
        )
        for section in sections
    ]


@transaction.atomic
def rubric_copy(
    *, from_year: int, to_year: int, category: str | None = None, acting_user
) -> list[Rubric]:
    """Copy last year's rubric(s) to a new year (each organization type, or just `category`)."""
    _require_staff(acting_user, "assessment.change_rubric")
    if from_year == to_year:
        raise AssessmentError(_("Choose a different year to copy to."))
    sources = Rubric.objects.filter(year=from_year)
    if category:
        sources = sources.filter(category=category)
    sources = list(sources)
    if not sources:
        raise AssessmentError(_("There is no rubric for %(year)s to copy.") % {"year": from_year})
    copies = []
    for source in sources:
        copies.append(
            rubric_create(
                year=to_year,
                category=source.category,
                title=source.title.replace(str(from_year), str(to_year)),
                sections=rubric_specs(source),
                max_total=source.max_total,
                bonus_cap=source.bonus_cap,
            )
        )
    return copies


def total_points(rubric: Rubric) -> Decimal:
    return rubric.items.filter(kind=ItemKind.NORMAL).aggregate(s=Sum("max_points"))["s"] or ZERO


# --- Rubric upload (.xlsx) -----------------------------------------------------------------

RUBRIC_UPLOAD_MAX_BYTES = 2 * 1024 * 1024


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _kind_from(text: str, row: int) -> str:
    if not text:
        return ItemKind.NORMAL
    for value, label in ItemKind.choices:
        if text.lower() == value or text == str(label):
            return value
    raise AssessmentError(
        _("Row %(row)s: unknown kind “%(kind)s” (normal, bonus or veto).")
        % {"row": row, "kind": text}
    )


def rubric_parse_xlsx(file) -> tuple[dict, list[SectionSpec]]:
    """Read a workbook laid out like `rubric_download` (settings sheet optional)."""
    if getattr(file, "size", 0) and file.size > RUBRIC_UPLOAD_MAX_BYTES:
        raise AssessmentError(_("The file is larger than 2 MB."))
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # not an .xlsx workbook at all
        raise AssessmentError(_("The file is not an Excel (.xlsx) workbook.")) from exc
    try:
        sheets = workbook.worksheets
        rows = list(sheets[0].iter_rows(values_only=True))
        settings: dict = {}
        if len(sheets) > 1:
            for values in list(sheets[1].iter_rows(values_only=True))[1:]:
                if values and values[0]:
                    settings[_cell_text(values[0])] = values[-1]
    finally:
        workbook.close()
    sections: list[SectionSpec] = []
    current_item: ItemSpec | None = None
    for number, values in enumerate(rows[1:], start=2):
        cells = [_cell_text(v) for v in (list(values) + [None] * 10)[:10]]
        if not any(cells):
            continue
        section, code, title, criterion, max_points, kind, metric, params, deduction, points = cells
        if title:
            if not code:
                raise AssessmentError(_("Row %(row)s: the item has no code.") % {"row": number})
            if not section and not sections:
                raise AssessmentError(_("Row %(row)s: give the section.") % {"row": number})
            if section and (not sections or sections[-1].title != section):
                sections.append(SectionSpec(title=section))
            try:
                maximum = Decimal(max_points)
            except InvalidOperation as exc:
                raise AssessmentError(
                    _("Row %(row)s: the maximum points “%(value)s” is not a number.")
                    % {"row": number, "value": max_points}
                ) from exc
            try:
                parameters = json.loads(params) if params else {}
            except ValueError as exc:
                raise AssessmentError(
                    _("Row %(row)s: the metric parameters are not valid JSON.") % {"row": number}
                ) from exc
            current_item = ItemSpec(
                code=code,
                title=title,
                criterion=criterion,
                max_points=maximum,
                kind=_kind_from(kind, number),
                metric=metric or None,
                metric_params=parameters if isinstance(parameters, dict) else {},
            )
            sections[-1].items.append(current_item)
        elif not deduction:
            raise AssessmentError(_("Row %(row)s: the item has no title.") % {"row": number})
        if deduction:
            if current_item is None:
                raise AssessmentError(
                    _("Row %(row)s: a deduction line before any item.") % {"row": number}
                )
            try:
                amount = Decimal(points)
            except InvalidOperation as exc:
                raise AssessmentError(
                    _("Row %(row)s: the deduction points “%(value)s” is not a number.")
                    % {"row": number, "value": points}
                ) from exc
            current_item.deductions.append(DeductionSpec(deduction, amount))
    if not sections:
        raise AssessmentError(_("The workbook holds no rubric items."))
    return settings, sections


@transaction.atomic
def rubric_import(*, file, year: int, category: str, replace: bool = False, acting_user) -> Rubric:
    """Create a rubric from an uploaded workbook; nothing is saved unless all of it is valid."""
    _require_staff(acting_user, "assessment.change_rubric")
    settings, sections = rubric_parse_xlsx(file)
    try:
        max_total = Decimal(str(settings.get("max_total") or "100"))
        bonus_cap = Decimal(str(settings.get("bonus_cap") or "0"))
    except InvalidOperation as exc:
        raise AssessmentError(_("The declared total or bonus cap is not a number.")) from exc
    title = _cell_text(settings.get("title")) or _("%(year)s assessment rubric") % {"year": year}
    return rubric_create(
        year=year,
        category=category,
        title=title,
        sections=sections,
        max_total=max_total,
        bonus_cap=bonus_cap,
        replace=replace,
    )
