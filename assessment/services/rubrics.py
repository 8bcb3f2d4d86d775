"""Rubrics: build (from specs: the editor, an upload, a copy), validate, copy, start an empty
one. A rubric is rebuilt whole from its spec, so the editor page, the Excel upload and the copy
share one path; a rubric a round already uses is never rebuilt (its items carry scores)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from assessment.metrics import REGISTRY
from assessment.models import (
    GRADE_ORDER,
    ZERO,
    DeductionKind,
    DeductionRule,
    Grade,
    GradeBand,
    GradeBasis,
    GradeThresholds,
    GradeTotal,
    Item,
    ItemKind,
    Rubric,
    Section,
    VetoConsequence,
    fmt_points,
)
from assessment.services.common import AssessmentError, _require_staff, _validation_message
from core.history import save_with_action

# --- Specs: a rubric as plain data -----------------------------------------------------------


@dataclass
class DeductionSpec:
    text: str
    points: Decimal = ZERO
    kind: str = DeductionKind.FIXED
    unit: str = ""
    cap: Decimal | None = None


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
    cumulative: bool = True
    veto_consequence: str = VetoConsequence.FAIL
    veto_grade: str = ""


@dataclass
class SectionSpec:
    title: str
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class BandSpec:
    grade: str
    minimum: Decimal


@dataclass
class RubricSettings:
    """Everything of a rubric but its year, type and content."""

    title: str
    max_total: Decimal = Decimal("100")
    bonus_cap: Decimal = ZERO
    bonus_cumulative: bool = True
    grade_basis: str = GradeBasis.POINTS
    grade_total: str = GradeTotal.WITH_BONUS
    bands: list[BandSpec] | None = None  # None: the default thresholds


def default_bands() -> list[BandSpec]:
    """The bureau's default thresholds (the grade thresholds page), for a rubric that states
    none."""
    thresholds = GradeThresholds.current()
    return [
        BandSpec(Grade.EXCELLENT, thresholds.excellent),
        BandSpec(Grade.GOOD, thresholds.good),
        BandSpec(Grade.PASS, thresholds.pass_mark),
    ]


# --- Validation ------------------------------------------------------------------------------


def rubric_problems(rubric: Rubric) -> list[str]:
    """What is really inconsistent in a rubric (empty when it can be used). Deduction lines
    adding up to more than the item's points are normal (alternative and escalating lines,
    扣完为止) and not a problem."""
    problems: list[str] = []
    items = list(rubric.items.prefetch_related("deductions"))
    if not items:
        problems.append(_("The rubric has no items."))
    normal_total = sum((i.max_points for i in items if i.kind == ItemKind.NORMAL), ZERO)
    if items and normal_total != rubric.max_total:
        problems.append(
            _("The normal items add up to %(sum)s points, but the rubric declares %(total)s.")
            % {"sum": fmt_points(normal_total), "total": fmt_points(rubric.max_total)}
        )
    has_bonus = any(i.kind == ItemKind.BONUS for i in items)
    if has_bonus and rubric.bonus_cap <= 0:
        problems.append(_("The rubric has bonus items but no bonus cap."))
    for item in items:
        if item.kind == ItemKind.VETO:
            if item.max_points != ZERO:
                problems.append(
                    _("%(code)s: a veto item carries no points (maximum 0).") % {"code": item.code}
                )
            if (
                item.veto_consequence in (VetoConsequence.CAP, VetoConsequence.FIXED)
                and not item.veto_grade
            ):
                problems.append(
                    _("%(code)s: choose the grade this veto caps or fixes.") % {"code": item.code}
                )
            continue
        if item.kind == ItemKind.BONUS and item.max_points <= 0:
            problems.append(
                _("%(code)s: a bonus item needs its own cap (its maximum points).")
                % {"code": item.code}
            )
        for line in item.deductions.all():
            if item.kind == ItemKind.BONUS and line.kind == DeductionKind.ZERO:
                problems.append(
                    _("%(code)s: a bonus item cannot have a “scores 0” line.") % {"code": item.code}
                )
            elif line.kind != DeductionKind.ZERO and line.points <= 0:
                problems.append(
                    _("%(code)s: the line “%(text)s” has no points.")
                    % {"code": item.code, "text": line.text}
                )
    problems += band_problems(rubric, list(rubric.bands.all()))
    return problems


def band_problems(rubric: Rubric, bands) -> list[str]:
    """The grade bands must not overlap: a better grade starts higher than a worse one."""
    problems: list[str] = []
    if not bands:
        problems.append(_("The rubric has no grade bands."))
        return problems
    ordered = sorted(bands, key=lambda b: GRADE_ORDER.index(b.grade))
    grades = [b.grade for b in ordered]
    if len(set(grades)) != len(grades):
        problems.append(_("A grade has two bands."))
    for better, worse in zip(ordered, ordered[1:], strict=False):
        if better.grade != worse.grade and not better.minimum > worse.minimum:
            problems.append(
                _(
                    "The grade bands overlap: %(better)s starts at %(b)s, %(worse)s at %(w)s; a "
                    "better grade must start higher."
                )
                % {
                    "better": Grade(better.grade).label,
                    "b": fmt_points(better.minimum),
                    "worse": Grade(worse.grade).label,
                    "w": fmt_points(worse.minimum),
                }
            )
    if rubric.grade_basis == GradeBasis.PERCENT and any(b.minimum > 100 for b in bands):
        problems.append(_("A band in percent cannot start above 100."))
    return problems


def rubric_validate(rubric: Rubric) -> None:
    problems = rubric_problems(rubric)
    if problems:
        raise AssessmentError(" ".join(problems))


# --- Build -----------------------------------------------------------------------------------


def _clean_save(obj, errors_prefix: str = "") -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        message = _validation_message(exc)
        raise AssessmentError(f"{errors_prefix}{message}" if errors_prefix else message) from exc
    obj.save()


def _fill(rubric: Rubric, sections: list[SectionSpec], bands: list[BandSpec]) -> None:
    """Write the sections, items, lines and bands of an empty rubric."""
    codes: set[str] = set()
    for s_index, spec in enumerate(sections, start=1):
        section = Section(rubric=rubric, title=spec.title, position=s_index)
        _clean_save(section)
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
                cumulative=item_spec.cumulative,
                veto_consequence=item_spec.veto_consequence or VetoConsequence.FAIL,
                veto_grade=item_spec.veto_grade or "",
                metric=item_spec.metric or None,
                metric_params=item_spec.metric_params or {},
                position=i_index,
            )
            if item.metric and item.metric not in REGISTRY:
                raise AssessmentError(
                    _("Unknown evidence metric “%(key)s”.") % {"key": item.metric}
                )
            _clean_save(item, f"{item_spec.code}: ")
            for d_index, line in enumerate(item_spec.deductions, start=1):
                rule = DeductionRule(
                    item=item,
                    text=line.text,
                    kind=line.kind,
                    points=line.points,
                    unit=line.unit,
                    cap=line.cap,
                    position=d_index,
                )
                _clean_save(rule, f"{item_spec.code}: ")
    grades = [b.grade for b in bands]
    if len(set(grades)) != len(grades):
        raise AssessmentError(_("A grade has two bands."))
    for band in bands:
        _clean_save(GradeBand(rubric=rubric, grade=band.grade, minimum=band.minimum))


def _apply_settings(rubric: Rubric, settings: RubricSettings) -> None:
    rubric.title = settings.title
    rubric.max_total = settings.max_total
    rubric.bonus_cap = settings.bonus_cap
    rubric.bonus_cumulative = settings.bonus_cumulative
    rubric.grade_basis = settings.grade_basis
    rubric.grade_total = settings.grade_total


@transaction.atomic
def rubric_create(
    *,
    year: int,
    category: str,
    title: str,
    sections: list[SectionSpec],
    max_total: Decimal = Decimal("100"),
    bonus_cap: Decimal = ZERO,
    bonus_cumulative: bool = True,
    grade_basis: str = GradeBasis.POINTS,
    grade_total: str = GradeTotal.WITH_BONUS,
    bands: list[BandSpec] | None = None,
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
    rubric = Rubric(year=year, category=category)
    _apply_settings(
        rubric,
        RubricSettings(
            title=title,
            max_total=max_total,
            bonus_cap=bonus_cap,
            bonus_cumulative=bonus_cumulative,
            grade_basis=grade_basis,
            grade_total=grade_total,
        ),
    )
    _clean_save(rubric)
    _fill(rubric, sections, default_bands() if bands is None else bands)
    rubric_validate(rubric)
    return rubric


@transaction.atomic
def rubric_start(
    *, year: int, category: str, title: str, max_total: Decimal, acting_user
) -> Rubric:
    """An empty rubric with the default grade bands, to be built on the editor page."""
    _require_staff(acting_user, "assessment.change_rubric")
    if Rubric.objects.filter(year=year, category=category).exists():
        raise AssessmentError(
            _("A rubric for %(year)s and this organization type already exists.") % {"year": year}
        )
    rubric = Rubric(year=year, category=category, title=title, max_total=max_total)
    _clean_save(rubric)
    _fill(rubric, [], default_bands())
    return rubric


@transaction.atomic
def rubric_save(
    *, rubric: Rubric, settings: RubricSettings, sections: list[SectionSpec], acting_user
) -> list[str]:
    """Rebuild `rubric` from the editor's spec. A refused field (not a number, a code twice)
    saves nothing; a rubric that is consistent in its parts but not yet as a whole (the items
    do not reach the declared total yet) is saved, and its problems returned to be shown.
    A rubric a round uses is not changed."""
    _require_staff(acting_user, "assessment.change_rubric")
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.assessments.exists():
        raise AssessmentError(
            _("This rubric is already used by a round and cannot be changed; copy it instead.")
        )
    rubric.sections.all().delete()  # items and their lines go with them
    rubric.bands.all().delete()
    _apply_settings(rubric, settings)
    _clean_save(rubric)
    _fill(rubric, sections, settings.bands or [])
    save_with_action(rubric, "assessment.rubric.edit")
    return rubric_problems(rubric)


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
                    cumulative=item.cumulative,
                    veto_consequence=item.veto_consequence,
                    veto_grade=item.veto_grade,
                    deductions=[
                        DeductionSpec(
                            text=d.text, points=d.points, kind=d.kind, unit=d.unit, cap=d.cap
                        )
                        for d in item.deductions.all()
                    ],
                )
                for item in section.items.all()
            ],
        )
        for section in sections
    ]


def rubric_settings(rubric: Rubric) -> RubricSettings:
    return RubricSettings(
        title=rubric.title,
        max_total=rubric.max_total,
        bonus_cap=rubric.bonus_cap,
        bonus_cumulative=rubric.bonus_cumulative,
        grade_basis=rubric.grade_basis,
        grade_total=rubric.grade_total,
        bands=[BandSpec(b.grade, b.minimum) for b in rubric.bands.all()],
    )


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
        settings = rubric_settings(source)
        copies.append(
            rubric_create(
                year=to_year,
                category=source.category,
                title=source.title.replace(str(from_year), str(to_year)),
                sections=rubric_specs(source),
                max_total=settings.max_total,
                bonus_cap=settings.bonus_cap,
                bonus_cumulative=settings.bonus_cumulative,
                grade_basis=settings.grade_basis,
                grade_total=settings.grade_total,
                bands=settings.bands,
            )
        )
    return copies


def total_points(rubric: Rubric) -> Decimal:
    return rubric.items.filter(kind=ItemKind.NORMAL).aggregate(s=Sum("max_points"))["s"] or ZERO
