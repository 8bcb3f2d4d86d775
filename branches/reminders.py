"""Reminders of the organization tree: committee terms ending within 90 days, and overdue
(registered into core.reminders from BranchesConfig.ready)."""

from __future__ import annotations

import datetime

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import CommitteeTerm, Status
from branches.selectors import ENDS_SOON_DAYS, secretaries_of
from core.reminders import Reminder, month_key, register

TERM_ENDING = "term-ending"
TERM_OVERDUE = "term-overdue"


def _current_terms(today: datetime.date, *, overdue: bool):
    """Current terms of active organizations whose end (an approved extension counts) is
    within ENDS_SOON_DAYS of `today`, or before it (2 queries with the secretaries)."""
    terms = CommitteeTerm.objects.filter(
        is_current=True, organization__status=Status.ACTIVE
    ).annotate(end=Coalesce("extended_until", "ends_on"))
    if overdue:
        terms = terms.filter(end__lt=today)
    else:
        terms = terms.filter(
            end__gte=today, end__lte=today + datetime.timedelta(days=ENDS_SOON_DAYS)
        )
    terms = list(terms.select_related("organization").order_by("end", "pk"))
    return terms, secretaries_of(term.organization for term in terms)


def terms_ending(today: datetime.date) -> list[Reminder]:
    terms, secretaries = _current_terms(today, overdue=False)
    return [
        Reminder(
            recipients=secretaries[term.organization_id],
            kind=TERM_ENDING,
            key=f"{TERM_ENDING}:{term.pk}:{term.end:%Y-%m-%d}",
            title=_("%(organization)s: the committee's term ends on %(day)s")
            % {"organization": term.organization, "day": term.end.isoformat()},
            body=_(
                "The committee's term ends within 90 days: prepare the election and record "
                "the new term."
            ),
            url=reverse("branches:election_open", args=[term.organization_id]),
        )
        for term in terms
    ]


def terms_overdue(today: datetime.date) -> list[Reminder]:
    """Once a month while the election is overdue."""
    terms, secretaries = _current_terms(today, overdue=True)
    return [
        Reminder(
            recipients=secretaries[term.organization_id],
            kind=TERM_OVERDUE,
            key=f"{TERM_OVERDUE}:{term.pk}:{month_key(today)}",
            title=_("%(organization)s: the committee's term ended on %(day)s, election overdue")
            % {"organization": term.organization, "day": term.end.isoformat()},
            body=_("Hold the election and record the new term, or record the approved extension."),
            url=reverse("branches:election_open", args=[term.organization_id]),
        )
        for term in terms
    ]


def register_reminders() -> None:
    register(TERM_ENDING, gettext_lazy("Committee terms ending within 90 days"), terms_ending)
    register(TERM_OVERDUE, gettext_lazy("Committee terms overdue"), terms_overdue)
