"""Rounds: create, scope, assign, open, finalize, reopen; the grade thresholds."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.grading import apply_vetoes, band_grade, fails_by_veto, rank_key
from assessment.models import (
    Assessment,
    Assignment,
    GradeThresholds,
    ItemKind,
    ItemScore,
    Round,
    RoundEvent,
    RoundState,
    Rubric,
)
from assessment.services.common import AssessmentError, _require_staff, _validation_message
from assessment.services.rubrics import rubric_problems
from assessment.services.scoring import assessment_totals, competition_ranks
from core.history import bulk_create_with_action, bulk_update_with_action, save_with_action

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
    _check_year(year)
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
    save_with_action(round_, "assessment.round.create")
    round_.rubrics.set(rubrics)
    return round_


def _check_year(year: int) -> None:
    """A round assesses a year that has begun: next year's round cannot be opened (or
    finalized) before that year."""
    current = timezone.localdate().year
    if int(year) > current:
        raise AssessmentError(
            _("A round's year cannot be later than the current year (%(year)s).")
            % {"year": current},
            field="year",
        )


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
    existing = {a.organization_id: a for a in round_.assessments.all()}
    scored = set(
        ItemScore.objects.filter(assessment__round=round_).values_list("assessment_id", "item_id")
    )
    new_scores = []
    for organization in organizations:
        rubric = rubrics.get(organization.category)
        if rubric is None:
            raise AssessmentError(
                _("No rubric of this round fits: %(names)s.") % {"names": organization.name}
            )
        assessment = existing.get(organization.pk)
        if assessment is None:
            assessment = Assessment(round=round_, organization=organization, rubric=rubric)
            save_with_action(assessment, "assessment.assessment.create")
        new_scores += [
            ItemScore(assessment=assessment, item=item)
            for item in items[organization.category]
            if (assessment.pk, item.pk) not in scored
        ]
    bulk_create_with_action(ItemScore, new_scores, "assessment.itemscore.create")
    _log(round_, RoundState.SELF_ASSESSMENT, acting_user)
    save_with_action(round_, "assessment.round.open_self_assessment", update_fields=["state"])
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
    save_with_action(round_, "assessment.round.open_scoring", update_fields=["state"])
    return round_


@transaction.atomic
def round_finalize(*, round: Round, acting_user) -> Round:
    """scoring → finalized: totals, grades and ranks (within the round and organization type)
    are computed and cached; the round is read-only afterwards. The grade comes from the
    rubric's own bands, then the consequences of the veto items that apply; ranks follow the
    grade, then the total (an organization failed by a veto ranks after all others)."""
    _require_staff(acting_user)
    round_ = _locked_round(round)
    if round_.state != RoundState.SCORING:
        raise AssessmentError(_("Only a round in scoring can be finalized."))
    _check_year(round_.year)
    assessments = list(
        round_.assessments.select_for_update().select_related("organization", "rubric")
    )
    missing = (
        ItemScore.objects.filter(
            assessment__round=round_, score__isnull=True, item__kind=ItemKind.NORMAL
        )
        .values_list("assessment__organization__name", flat=True)
        .distinct()
    )
    missing = list(missing[:10])
    if missing:
        raise AssessmentError(
            _("Some items are not scored yet: %(names)s") % {"names": "、".join(missing)}
        )
    bands: dict[int, list] = {}
    for rubric in round_.rubrics.prefetch_related("bands"):
        bands[rubric.pk] = list(rubric.bands.all())
    scores_by_assessment: dict[int, list[ItemScore]] = {}
    for score in ItemScore.objects.filter(assessment__round=round_).select_related("item"):
        scores_by_assessment.setdefault(score.assessment_id, []).append(score)
    by_category: dict[str, list[tuple[Assessment, tuple]]] = {}
    for assessment in assessments:
        result = assessment_totals(assessment, scores_by_assessment.get(assessment.pk, []))
        rubric = assessment.rubric
        grade = band_grade(rubric, bands.get(rubric.pk, []), result)
        assessment.total = result.total
        assessment.vetoed = bool(result.vetoes)
        assessment.grade = apply_vetoes(grade, result.vetoes)
        key = rank_key(
            grade=assessment.grade,
            total=result.total,
            failed_by_veto=fails_by_veto(result.vetoes),
        )
        by_category.setdefault(assessment.organization.category, []).append((assessment, key))
    for group in by_category.values():
        group.sort(key=lambda pair: (pair[1], pair[0].organization.name))
        ranks = competition_ranks([key for _a, key in group])
        for (assessment, _key), rank in zip(group, ranks, strict=True):
            assessment.rank = rank
    bulk_update_with_action(
        Assessment,
        assessments,
        ["total", "vetoed", "grade", "rank"],
        "assessment.assessment.finalize",
    )
    _log(round_, RoundState.FINALIZED, acting_user)
    round_.finalized_at = timezone.now()
    save_with_action(round_, "assessment.round.finalize", update_fields=["state", "finalized_at"])
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
    save_with_action(round_, "assessment.round.reopen", update_fields=["state", "finalized_at"])
    return round_


@transaction.atomic
def grade_thresholds_set(
    *, excellent: Decimal, good: Decimal, pass_mark: Decimal, acting_user
) -> GradeThresholds:
    _require_staff(acting_user, "assessment.change_gradethresholds")
    thresholds = GradeThresholds.objects.order_by("pk").first() or GradeThresholds()
    thresholds.excellent, thresholds.good, thresholds.pass_mark = excellent, good, pass_mark
    try:
        thresholds.full_clean()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    thresholds.save()
    return thresholds
