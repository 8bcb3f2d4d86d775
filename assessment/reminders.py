"""Reminders of the assessment: rectification deadlines within 7 days (to the inspected
organization's secretary and the inspectors), and the self-assessment and scoring deadlines
of open rounds (to the secretaries who have not self-assessed, the supervisors who have not
scored) — registered into core.reminders from AssessmentConfig.ready.

"Not self-assessed" / "not scored" means no item of the assessment has a self score / an
assessed score yet. A round without a deadline (the fields are optional) reminds nobody.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.models import (
    Assessment,
    Assignment,
    Rectification,
    RectificationStatus,
    Round,
    RoundState,
)
from branches.selectors import secretaries_of
from core.reminders import Reminder, bureau_staff, register

RECTIFICATION_DUE = "rectification-due"
SELF_ASSESSMENT_DUE = "self-assessment-due"
SCORING_DUE = "scoring-due"
DEADLINE_DAYS = 7


def rectifications_due(today: datetime.date) -> list[Reminder]:
    """Open rectifications whose deadline is within `DEADLINE_DAYS` days (3 queries)."""
    rectifications = list(
        Rectification.objects.filter(
            status=RectificationStatus.OPEN,
            deadline__gte=today,
            deadline__lte=today + datetime.timedelta(days=DEADLINE_DAYS),
        )
        .select_related("inspection__organization")
        .prefetch_related("inspection__inspectors")
        .order_by("deadline", "pk")
    )
    if not rectifications:
        return []
    secretaries = secretaries_of(r.inspection.organization for r in rectifications)
    reminders = []
    for rectification in rectifications:
        inspection = rectification.inspection
        reminders.append(
            Reminder(
                recipients=[
                    *secretaries[inspection.organization_id],
                    *inspection.inspectors.all(),
                ],
                kind=RECTIFICATION_DUE,
                key=f"{RECTIFICATION_DUE}:{rectification.pk}:{rectification.deadline:%Y-%m-%d}",
                title=_("%(organization)s: rectification due on %(day)s: %(required)s")
                % {
                    "organization": inspection.organization,
                    "day": rectification.deadline.isoformat(),
                    "required": rectification,
                },
                body=_("Found at the inspection of %(date)s: %(findings)s")
                % {"date": inspection.date.isoformat(), "findings": inspection.findings},
                url=reverse("assessment:inspection_detail", args=[inspection.pk]),
            )
        )
    return reminders


def _deadline_state(due: datetime.date | None, today: datetime.date) -> str | None:
    """ "due" within DEADLINE_DAYS, "overdue" once passed, None otherwise (or no deadline)."""
    if due is None or due > today + datetime.timedelta(days=DEADLINE_DAYS):
        return None
    return "overdue" if due < today else "due"


def _open_rounds(state: str, due_field: str, today: datetime.date) -> list[Round]:
    rounds = Round.objects.filter(state=state, **{f"{due_field}__isnull": False})
    return [r for r in rounds.order_by("pk") if _deadline_state(getattr(r, due_field), today)]


def self_assessments_due(today: datetime.date) -> list[Reminder]:
    """Per assessment of a round in self-assessment whose deadline is within DEADLINE_DAYS
    or passed, when no item has a self score yet: to the organization's secretary (its own
    page), or the nearest secretary above it (their list). 3 queries."""
    rounds = {
        r.pk: r for r in _open_rounds(RoundState.SELF_ASSESSMENT, "self_assessment_due", today)
    }
    if not rounds:
        return []
    assessments = list(
        Assessment.objects.filter(round_id__in=rounds)
        .annotate(self_scored=Count("scores", filter=Q(scores__self_score__isnull=False)))
        .filter(self_scored=0)
        .select_related("organization")
        .order_by("round_id", "organization__path")
    )
    secretaries = secretaries_of(a.organization for a in assessments)
    reminders = []
    for assessment in assessments:
        round_ = rounds[assessment.round_id]
        due = round_.self_assessment_due
        state = _deadline_state(due, today)
        recipients = secretaries[assessment.organization_id]
        own = all(user.organization_id == assessment.organization_id for user in recipients)
        values = {
            "round": round_,
            "organization": assessment.organization,
            "day": due.isoformat(),
        }
        if state == "overdue":
            title = _("%(round)s: the self-assessment of %(organization)s was due on %(day)s")
        else:
            title = _("%(round)s: the self-assessment of %(organization)s is due on %(day)s")
        reminders.append(
            Reminder(
                recipients=recipients,
                kind=SELF_ASSESSMENT_DUE,
                key=f"{SELF_ASSESSMENT_DUE}:{assessment.pk}:{state}:{due:%Y-%m-%d}",
                title=title % values,
                body=_("No item has a self score yet: fill in the self-assessment."),
                url=reverse("assessment:self_assess", args=[assessment.pk])
                if own
                else reverse("assessment:my_self_assessment"),
            )
        )
    return reminders


def scorings_due(today: datetime.date) -> list[Reminder]:
    """Per supervisor and round in scoring whose deadline is within DEADLINE_DAYS or passed:
    the assigned organizations with no assessed score yet (one reminder per supervisor; an
    organization without an assigned supervisor goes to bureau staff). 5 queries."""
    rounds = {r.pk: r for r in _open_rounds(RoundState.SCORING, "scoring_due", today)}
    if not rounds:
        return []
    unscored = list(
        Assessment.objects.filter(round_id__in=rounds)
        .annotate(scored=Count("scores", filter=Q(scores__score__isnull=False)))
        .filter(scored=0)
        .select_related("organization")
        .order_by("round_id", "organization__path")
    )
    if not unscored:
        return []
    supervisors_of: dict[tuple[int, int], list] = {}
    assignments = Assignment.objects.filter(round_id__in=rounds).prefetch_related(
        Prefetch("supervisors", to_attr="supervisor_list")
    )
    for assignment in assignments:
        supervisors_of[(assignment.round_id, assignment.organization_id)] = (
            assignment.supervisor_list
        )
    # (round, supervisor id or None for bureau staff) → their unscored assessments
    todo: dict[tuple[int, int | None], list[Assessment]] = {}
    people = {}
    for assessment in unscored:
        supervisors = [
            user
            for user in supervisors_of.get((assessment.round_id, assessment.organization_id), [])
            if user.is_active
        ]
        for user in supervisors or [None]:
            todo.setdefault((assessment.round_id, user.pk if user else None), []).append(assessment)
            if user is not None:
                people[user.pk] = user
    staff: list | None = None
    reminders = []
    for (round_id, user_id), items in todo.items():
        round_ = rounds[round_id]
        due = round_.scoring_due
        state = _deadline_state(due, today)
        if user_id is None:
            staff = bureau_staff() if staff is None else staff
            recipients = staff
            url = reverse("assessment:round_detail", args=[round_id])
        else:
            recipients = [people[user_id]]
            url = (
                reverse("assessment:score", args=[items[0].pk])
                if len(items) == 1
                else reverse("assessment:my_assignments")
            )
        names = "、".join(str(a.organization) for a in items[:3])
        values = {
            "round": round_,
            "day": due.isoformat(),
            "n": len(items),
            "organizations": names + ("…" if len(items) > 3 else ""),
        }
        if state == "overdue":
            title = _("%(round)s: scoring was due on %(day)s; %(n)s not scored: %(organizations)s")
        else:
            title = _("%(round)s: scoring is due on %(day)s; %(n)s not scored: %(organizations)s")
        reminders.append(
            Reminder(
                recipients=recipients,
                kind=SCORING_DUE,
                key=f"{SCORING_DUE}:{round_id}:{state}:{due:%Y-%m-%d}",
                title=(title % values)[:200],
                body="\n".join(str(a.organization) for a in items),
                url=url,
            )
        )
    return reminders


def register_reminders() -> None:
    register(
        RECTIFICATION_DUE, gettext_lazy("Rectifications due within 7 days"), rectifications_due
    )
    register(
        SELF_ASSESSMENT_DUE,
        gettext_lazy("Self-assessment deadlines of open rounds"),
        self_assessments_due,
    )
    register(SCORING_DUE, gettext_lazy("Scoring deadlines of open rounds"), scorings_due)
