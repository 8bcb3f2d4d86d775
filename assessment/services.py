"""Every write of the assessment app: rubrics, rounds, scores, inspections.

Keyword-only, atomic, validated; one error class, `AssessmentError`, with a message for people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.metrics import REGISTRY
from assessment.models import (
    ZERO,
    Assessment,
    Assignment,
    DeductionRule,
    GradeThresholds,
    Inspection,
    Item,
    ItemKind,
    ItemScore,
    Rectification,
    RectificationStatus,
    Round,
    RoundEvent,
    RoundState,
    Rubric,
    Section,
    fmt_points,
)
from core.errors import ServiceError


class AssessmentError(ServiceError):
    """A refused assessment write; `str(error)` is the message to show."""


class StaleAssessmentError(AssessmentError):
    """The assessment was saved by someone else after this user loaded it."""

    def __init__(self, message: str, changes: list[str]):
        super().__init__(message)
        self.changes = changes


def _validation_message(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _require_staff(user) -> None:
    if not (user and user.is_authenticated and user.is_bureau_staff):
        raise AssessmentError(_("Only bureau staff may do this."))


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
def rubric_copy(*, from_year: int, to_year: int, category: str | None = None) -> list[Rubric]:
    """Copy last year's rubric(s) to a new year (each organization type, or just `category`)."""
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


# --- Rounds --------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    year: int,
    title: str,
    rubrics: Iterable[Rubric],
    self_assessment_due: datetime.date | None = None,
    scoring_due: datetime.date | None = None,
    acting_user,
) -> Round:
    _require_staff(acting_user)
    rubrics = list(rubrics)
    if not rubrics:
        raise AssessmentError(_("Choose at least one rubric."))
    for rubric in rubrics:
        if rubric.year != year:
            raise AssessmentError(
                _("The rubric “%(rubric)s” is not for %(year)s.") % {"rubric": rubric, "year": year}
            )
    if len({r.category for r in rubrics}) != len(rubrics):
        raise AssessmentError(_("Choose one rubric per organization type."))
    round_ = Round(
        year=year,
        title=title,
        self_assessment_due=self_assessment_due,
        scoring_due=scoring_due,
    )
    try:
        round_.full_clean()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    round_.save()
    round_.rubrics.set(rubrics)
    return round_


def _locked_round(round_: Round) -> Round:
    return Round.objects.select_for_update().get(pk=round_.pk)


@transaction.atomic
def round_set_scope(*, round: Round, organizations: Iterable, acting_user) -> None:
    """Set the organizations in scope (draft only); each needs a rubric for its type."""
    _require_staff(acting_user)
    round_ = _locked_round(round)
    if round_.state != RoundState.DRAFT:
        raise AssessmentError(_("The scope can only change while the round is a draft."))
    organizations = list(organizations)
    categories = set(round_.rubrics.values_list("category", flat=True))
    bad = [o.name for o in organizations if o.category not in categories]
    if bad:
        raise AssessmentError(
            _("No rubric of this round fits: %(names)s.") % {"names": "、".join(bad)}
        )
    round_.organizations.set(organizations)
    round_.assignments.exclude(organization__in=organizations).delete()


@transaction.atomic
def round_assign(*, round: Round, organizations: Iterable, supervisors: Iterable, acting_user):
    """Assign `supervisors` to each of `organizations` (added to those already assigned)."""
    _require_staff(acting_user)
    round_ = _locked_round(round)
    if round_.is_finalized:
        raise AssessmentError(_("The round is finalized; reopen it first."))
    supervisors = list(supervisors)
    if not supervisors:
        raise AssessmentError(_("Choose at least one supervisor."))
    if any(not s.is_supervisor for s in supervisors):
        raise AssessmentError(_("Only users with the supervisor role can be assigned."))
    in_scope = set(round_.organizations.values_list("pk", flat=True))
    for organization in organizations:
        if organization.pk not in in_scope:
            raise AssessmentError(
                _("%(name)s is not in this round's scope.") % {"name": organization.name}
            )
        assignment, _created = Assignment.objects.get_or_create(
            round=round_, organization=organization
        )
        assignment.supervisors.add(*supervisors)


@transaction.atomic
def round_unassign(*, round: Round, organization, supervisor, acting_user) -> None:
    _require_staff(acting_user)
    assignment = Assignment.objects.filter(round=round, organization=organization).first()
    if assignment:
        assignment.supervisors.remove(supervisor)


def _log(round_: Round, to_state: str, user, reason: str = "") -> None:
    RoundEvent.objects.create(
        round=round_, from_state=round_.state, to_state=to_state, reason=reason, by=user
    )
    round_.state = to_state


@transaction.atomic
def round_open_self_assessment(*, round: Round, acting_user) -> Round:
    """draft → self-assessment: validates the rubrics and creates every assessment."""
    _require_staff(acting_user)
    round_ = _locked_round(round)
    if round_.state != RoundState.DRAFT:
        raise AssessmentError(_("Only a draft round can open its self-assessment."))
    rubrics = {r.category: r for r in round_.rubrics.all()}
    for rubric in rubrics.values():
        problems = rubric_problems(rubric)
        if problems:
            raise AssessmentError(
                _("The rubric “%(rubric)s” is not valid: %(problems)s")
                % {"rubric": rubric, "problems": " ".join(problems)}
            )
    organizations = list(round_.organizations.all())
    if not organizations:
        raise AssessmentError(_("Put at least one organization in scope first."))
    items = {c: list(r.items.all()) for c, r in rubrics.items()}
    for organization in organizations:
        rubric = rubrics.get(organization.category)
        if rubric is None:
            raise AssessmentError(
                _("No rubric of this round fits: %(names)s.") % {"names": organization.name}
            )
        assessment, _created = Assessment.objects.get_or_create(
            round=round_, organization=organization, defaults={"rubric": rubric}
        )
        ItemScore.objects.bulk_create(
            [ItemScore(assessment=assessment, item=item) for item in items[organization.category]],
            ignore_conflicts=True,
        )
    _log(round_, RoundState.SELF_ASSESSMENT, acting_user)
    round_.save(update_fields=["state"])
    return round_


@transaction.atomic
def round_open_scoring(*, round: Round, acting_user) -> Round:
    """self-assessment → scoring."""
    _require_staff(acting_user)
    round_ = _locked_round(round)
    if round_.state != RoundState.SELF_ASSESSMENT:
        raise AssessmentError(_("Scoring opens after the self-assessment."))
    unassigned = round_.organizations.exclude(
        assessment_assignments__round=round_, assessment_assignments__supervisors__isnull=False
    )
    names = list(unassigned.values_list("name", flat=True)[:10])
    if names:
        raise AssessmentError(
            _("Assign a supervisor to every organization first. Not yet assigned: %(names)s")
            % {"names": "、".join(names)}
        )
    _log(round_, RoundState.SCORING, acting_user)
    round_.save(update_fields=["state"])
    return round_


def compute_total(assessment: Assessment, scores: list[ItemScore] | None = None):
    """(total, vetoed): normal scores plus bonus scores up to the rubric's bonus cap."""
    if scores is None:
        scores = list(assessment.scores.select_related("item"))
    normal = sum((s.score or ZERO for s in scores if s.item.kind == ItemKind.NORMAL), ZERO)
    bonus = sum((s.score or ZERO for s in scores if s.item.kind == ItemKind.BONUS), ZERO)
    bonus = min(bonus, assessment.rubric.bonus_cap)
    vetoed = any(s.veto_triggered for s in scores if s.item.kind == ItemKind.VETO)
    return normal + bonus, vetoed


def competition_ranks(keys: list) -> list[int]:
    """Ranks for already-sorted keys, ties sharing a rank: (a, a, b) → 1, 1, 3."""
    ranks: list[int] = []
    for index, key in enumerate(keys):
        if index and key == keys[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    return ranks


@transaction.atomic
def round_finalize(*, round: Round, acting_user) -> Round:
    """scoring → finalized: totals, grades and ranks (within the round and organization type)
    are computed and cached; the round is read-only afterwards. Vetoed organizations rank
    after all others."""
    _require_staff(acting_user)
    round_ = _locked_round(round)
    if round_.state != RoundState.SCORING:
        raise AssessmentError(_("Only a round in scoring can be finalized."))
    assessments = list(
        round_.assessments.select_for_update().select_related("organization", "rubric")
    )
    missing = (
        ItemScore.objects.filter(assessment__round=round_, score__isnull=True)
        .exclude(item__kind__in=[ItemKind.VETO, ItemKind.BONUS])
        .values_list("assessment__organization__name", flat=True)
        .distinct()
    )
    missing = list(missing[:10])
    if missing:
        raise AssessmentError(
            _("Some items are not scored yet: %(names)s") % {"names": "、".join(missing)}
        )
    thresholds = GradeThresholds.current()
    scores_by_assessment: dict[int, list[ItemScore]] = {}
    for score in ItemScore.objects.filter(assessment__round=round_).select_related("item"):
        scores_by_assessment.setdefault(score.assessment_id, []).append(score)
    by_category: dict[str, list[Assessment]] = {}
    for assessment in assessments:
        total, vetoed = compute_total(assessment, scores_by_assessment.get(assessment.pk, []))
        assessment.total = total
        assessment.vetoed = vetoed
        assessment.grade = thresholds.grade_for(total, vetoed=vetoed)
        by_category.setdefault(assessment.organization.category, []).append(assessment)
    for group in by_category.values():
        group.sort(key=lambda a: (a.vetoed, -a.total, a.organization.name))
        ranks = competition_ranks([(a.vetoed, a.total) for a in group])
        for assessment, rank in zip(group, ranks, strict=True):
            assessment.rank = rank
    Assessment.objects.bulk_update(assessments, ["total", "vetoed", "grade", "rank"])
    _log(round_, RoundState.FINALIZED, acting_user)
    round_.finalized_at = timezone.now()
    round_.save(update_fields=["state", "finalized_at"])
    return round_


@transaction.atomic
def round_reopen(*, round: Round, reason: str, acting_user) -> Round:
    """finalized → scoring, by bureau staff with a reason (recorded)."""
    _require_staff(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError(_("Give the reason for reopening the round."))
    round_ = _locked_round(round)
    if round_.state != RoundState.FINALIZED:
        raise AssessmentError(_("Only a finalized round can be reopened."))
    _log(round_, RoundState.SCORING, acting_user, reason=reason)
    round_.finalized_at = None
    round_.save(update_fields=["state", "finalized_at"])
    return round_


# --- Scores --------------------------------------------------------------------------------


def _parse_points(value, *, code: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise AssessmentError(
            _("%(code)s: “%(value)s” is not a number.") % {"code": code, "value": value}
        ) from exc
    if not points.is_finite():
        raise AssessmentError(
            _("%(code)s: “%(value)s” is not a number.") % {"code": code, "value": value}
        )
    return points


def _check_bounds(points: Decimal | None, item: Item) -> None:
    if points is not None and not (ZERO <= points <= item.max_points):
        raise AssessmentError(
            _("%(code)s: the score must lie between 0 and %(max)s.")
            % {"code": item.code, "max": fmt_points(item.max_points)}
        )
    if points is not None and points != points.quantize(Decimal("0.01")):
        raise AssessmentError(_("%(code)s: use at most two decimal places.") % {"code": item.code})


def _lock_and_check_version(assessment: Assessment, version: int) -> Assessment:
    locked = (
        Assessment.objects.select_for_update()
        .select_related("round", "rubric", "organization")
        .get(pk=assessment.pk)
    )
    if int(version) != locked.version:
        changed = (
            locked.scores.filter(changed_in_version__gt=int(version))
            .select_related("item", "updated_by")
            .order_by("item__section__position", "item__position")
        )
        changes = []
        for s in changed:
            parts = [f"{s.item.code} {s.item.title}"]
            if s.score is not None:
                parts.append(_("assessed score %(score)s") % {"score": fmt_points(s.score)})
            if s.self_score is not None:
                parts.append(_("self score %(score)s") % {"score": fmt_points(s.self_score)})
            if s.comment:
                parts.append(_("comment “%(comment)s”") % {"comment": s.comment[:60]})
            if s.updated_by:
                parts.append(_("by %(user)s") % {"user": s.updated_by})
            changes.append("，".join(parts))
        raise StaleAssessmentError(
            _(
                "Someone else saved this assessment after you opened it (now version "
                "%(current)s, you opened version %(loaded)s). Nothing of yours was saved. "
                "Changed: %(changes)s. Reload the page and enter your changes again."
            )
            % {
                "current": locked.version,
                "loaded": version,
                "changes": "；".join(changes) or "—",
            },
            changes,
        )
    return locked


def can_score(user, assessment: Assessment) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.is_bureau_staff:
        return True
    return bool(
        user.is_supervisor
        and Assignment.objects.filter(
            round_id=assessment.round_id,
            organization_id=assessment.organization_id,
            supervisors=user,
        ).exists()
    )


def can_self_assess(user, assessment: Assessment) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_secretary
        and user.organization_id == assessment.organization_id
    )


@dataclass
class ScoreEntry:
    item_id: int
    score: object = None  # text or Decimal; blank = not scored
    comment: str = ""
    deduction_ids: list[int] = field(default_factory=list)
    veto: bool = False


@transaction.atomic
def scores_save(
    *, assessment: Assessment, version: int, entries: list[ScoreEntry], acting_user
) -> Assessment:
    """The supervisor's assessed scores (考核分). All entries are checked before any is saved."""
    if not can_score(acting_user, assessment):
        raise AssessmentError(_("You are not assigned to score this organization."))
    locked = _lock_and_check_version(assessment, version)
    if locked.round.state != RoundState.SCORING:
        raise AssessmentError(_("Scores can only be entered while the round is in scoring."))
    rows = {
        s.item_id: s
        for s in locked.scores.select_related("item").prefetch_related("item__deductions")
    }
    prepared = []
    for entry in entries:
        row = rows.get(int(entry.item_id))
        if row is None:
            raise AssessmentError(_("That item is not part of this assessment."))
        item = row.item
        points = _parse_points(entry.score, code=item.code)
        _check_bounds(points, item)
        comment = (entry.comment or "").strip()
        allowed = {d.pk: d for d in item.deductions.all()}
        deduction_ids = {int(d) for d in entry.deduction_ids}
        if not deduction_ids <= set(allowed):
            raise AssessmentError(
                _("%(code)s: a ticked deduction belongs to another item.") % {"code": item.code}
            )
        veto = bool(entry.veto) and item.kind == ItemKind.VETO
        deducting = bool(deduction_ids) or (
            item.kind == ItemKind.NORMAL and points is not None and points < item.max_points
        )
        if (deducting or veto) and not comment:
            raise AssessmentError(
                _("%(code)s: say why in the comment when deducting points or applying a veto.")
                % {"code": item.code}
            )
        prepared.append((row, points, comment, deduction_ids, veto))
    new_version = locked.version + 1
    changed_any = False
    for row, points, comment, deduction_ids, veto in prepared:
        current_ids = set(row.deductions.values_list("pk", flat=True))
        if (
            row.score == points
            and row.comment == comment
            and row.veto_triggered == veto
            and current_ids == deduction_ids
        ):
            continue
        row.score = points
        row.comment = comment
        row.veto_triggered = veto
        row.changed_in_version = new_version
        row.updated_by = acting_user
        row.full_clean()
        row.save()
        row.deductions.set(deduction_ids)
        changed_any = True
    if changed_any:
        locked.version = new_version
        locked.save(update_fields=["version", "updated_at"])
    return locked


@dataclass
class SelfEntry:
    item_id: int
    self_score: object = None
    self_note: str = ""


@transaction.atomic
def self_assessment_save(
    *, assessment: Assessment, version: int, entries: list[SelfEntry], acting_user
) -> Assessment:
    """The secretary's self score (自评分) and notes, only during the self-assessment."""
    if not can_self_assess(acting_user, assessment):
        raise AssessmentError(_("Only the organization's secretary enters its self-assessment."))
    locked = _lock_and_check_version(assessment, version)
    if locked.round.state != RoundState.SELF_ASSESSMENT:
        raise AssessmentError(_("The self-assessment is not open."))
    rows = {s.item_id: s for s in locked.scores.select_related("item")}
    prepared = []
    for entry in entries:
        row = rows.get(int(entry.item_id))
        if row is None:
            raise AssessmentError(_("That item is not part of this assessment."))
        points = _parse_points(entry.self_score, code=row.item.code)
        _check_bounds(points, row.item)
        prepared.append((row, points, (entry.self_note or "").strip()))
    new_version = locked.version + 1
    changed_any = False
    for row, points, note in prepared:
        if row.self_score == points and row.self_note == note:
            continue
        row.self_score = points
        row.self_note = note
        row.changed_in_version = new_version
        row.updated_by = acting_user
        row.full_clean()
        row.save()
        changed_any = True
    if changed_any:
        locked.version = new_version
        locked.save(update_fields=["version", "updated_at"])
    return locked


@transaction.atomic
def grade_thresholds_set(
    *, excellent: Decimal, good: Decimal, pass_mark: Decimal, acting_user
) -> GradeThresholds:
    _require_staff(acting_user)
    thresholds = GradeThresholds.objects.order_by("pk").first() or GradeThresholds()
    thresholds.excellent, thresholds.good, thresholds.pass_mark = excellent, good, pass_mark
    try:
        thresholds.full_clean()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    thresholds.save()
    return thresholds


# --- Inspections ---------------------------------------------------------------------------


def _require_inspector(user) -> None:
    if not (user and user.is_authenticated and (user.is_bureau_staff or user.is_supervisor)):
        raise AssessmentError(_("Only bureau staff and supervisors record inspections."))


@dataclass
class RectificationSpec:
    required: str
    deadline: datetime.date


@transaction.atomic
def inspection_record(
    *,
    kind: str,
    date: datetime.date,
    organization,
    inspectors: Iterable,
    findings: str,
    rectifications: Iterable[RectificationSpec] = (),
    acting_user,
) -> Inspection:
    _require_inspector(acting_user)
    inspection = Inspection(
        kind=kind, date=date, organization=organization, findings=findings, created_by=acting_user
    )
    try:
        inspection.full_clean()
        inspection.save()
        inspectors = list(inspectors) or [acting_user]
        inspection.inspectors.set(inspectors)
        for spec in rectifications:
            rectification_add(
                inspection=inspection,
                required=spec.required,
                deadline=spec.deadline,
                acting_user=acting_user,
            )
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    return inspection


@transaction.atomic
def rectification_add(
    *, inspection: Inspection, required: str, deadline: datetime.date, acting_user
) -> Rectification:
    _require_inspector(acting_user)
    if deadline < inspection.date:
        raise AssessmentError(_("The deadline cannot fall before the inspection."))
    rectification = Rectification(inspection=inspection, required=required, deadline=deadline)
    try:
        rectification.full_clean()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    rectification.save()
    return rectification


@transaction.atomic
def rectification_mark_done(
    *, rectification: Rectification, done_on: datetime.date, acting_user
) -> Rectification:
    _require_inspector(acting_user)
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.status == RectificationStatus.DONE:
        raise AssessmentError(_("This rectification is already done."))
    if done_on > timezone.localdate():
        raise AssessmentError(_("The completion date cannot be in the future."))
    rectification.status = RectificationStatus.DONE
    rectification.done_on = done_on
    try:
        rectification.full_clean()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    rectification.save()
    return rectification


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
    import json

    from openpyxl import load_workbook

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
    _require_staff(acting_user)
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
