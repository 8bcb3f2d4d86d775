"""Every read of the assessment app, scoped to the user; `grade_distribution` for dashboards."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from assessment.models import (
    Assessment,
    Assignment,
    Grade,
    Inspection,
    ItemKind,
    Rectification,
    Round,
    RoundState,
    Rubric,
)
from branches.models import in_subtree
from core.selectors import get_or_404


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _reads_all(user) -> bool:
    return bool(user.is_bureau_staff or user.is_viewer or user.is_supervisor)


def rubrics_for(user) -> QuerySet[Rubric]:
    if not (_signed_in(user) and _reads_all(user)):
        return Rubric.objects.none()
    return Rubric.objects.annotate(item_count=Count("items")).order_by("-year", "category")


def get_rubric_for(user, pk) -> Rubric:
    return get_or_404(rubrics_for(user), pk)


def rounds_for(user) -> QuerySet[Round]:
    if not (_signed_in(user) and _reads_all(user)):
        return Round.objects.none()
    return Round.objects.annotate(
        organization_count=Count("organizations", distinct=True)
    ).order_by("-year", "-pk")


def get_round_for(user, pk) -> Round:
    return get_or_404(rounds_for(user), pk)


def _with_supervisors(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.select_related("round", "organization", "rubric")


def assessments_for(user) -> QuerySet[Assessment]:
    """Staff and viewers: all; a supervisor: the organizations assigned to them; a secretary:
    their own organization's (and its subtree's)."""
    qs = _with_supervisors(Assessment.objects.all())
    if not _signed_in(user):
        return qs.none()
    if user.is_bureau_staff or user.is_viewer:
        return qs
    if user.is_supervisor:
        assigned = Assignment.objects.filter(
            round_id=OuterRef("round_id"),
            organization_id=OuterRef("organization_id"),
            supervisors=user,
        )
        return qs.filter(Exists(assigned))
    if user.is_secretary:
        return qs.filter(in_subtree(user.organization, "organization"))
    return qs.none()


def get_assessment_for(user, pk) -> Assessment:
    return get_or_404(assessments_for(user), pk)


def supervisors_by_organization(round_: Round) -> dict[int, list]:
    """organization id → its assigned supervisors (2 queries)."""
    result: dict[int, list] = {}
    for assignment in round_.assignments.prefetch_related("supervisors"):
        result[assignment.organization_id] = list(assignment.supervisors.all())
    return result


def with_progress(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """`scored` / `item_count`: the items that must be scored (normal items; a bonus or veto
    item left empty is not missing), and `self_scored` of them."""
    must = Q(scores__item__kind=ItemKind.NORMAL)
    return qs.annotate(
        scored=Count("scores", filter=must & Q(scores__score__isnull=False)),
        self_scored=Count("scores", filter=must & Q(scores__self_score__isnull=False)),
        item_count=Count("scores", filter=must),
    )


def round_assessments(round_: Round) -> QuerySet[Assessment]:
    return with_progress(round_.assessments.select_related("organization", "rubric")).order_by(
        "organization__category", "rank", "organization__path"
    )


def inspections_for(user) -> QuerySet[Inspection]:
    qs = Inspection.objects.select_related("organization").prefetch_related(
        "inspectors",
        Prefetch("rectifications", queryset=Rectification.objects.order_by("deadline")),
    )
    if not _signed_in(user):
        return qs.none()
    if _reads_all(user):
        return qs
    if user.is_secretary:
        return qs.filter(in_subtree(user.organization, "organization"))
    return qs.none()


def get_inspection_for(user, pk) -> Inspection:
    return get_or_404(inspections_for(user), pk)


def rectifications_for(user) -> QuerySet[Rectification]:
    qs = Rectification.objects.select_related("inspection__organization")
    if not _signed_in(user):
        return qs.none()
    if _reads_all(user):
        return qs
    if user.is_secretary:
        return qs.filter(in_subtree(user.organization, "inspection__organization"))
    return qs.none()


def get_rectification_for(user, pk) -> Rectification:
    return get_or_404(rectifications_for(user), pk)


def grade_distribution(year: int) -> list[dict]:
    """How many organizations got each grade in the finalized rounds of `year` (one query);
    for the dashboard: [{"grade": "excellent", "label": "优秀", "count": 12}, …]."""
    counts = dict(
        Assessment.objects.filter(round__year=year, round__state=RoundState.FINALIZED)
        .values_list("grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {"grade": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in Grade.choices
    ]
