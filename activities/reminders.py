"""Reminders of organizational life (三会一课): the meetings due this month and those overdue,
from the compliance rules (RequiredFrequency, read through activities.selectors' compliance
computation) — registered into core.reminders from ActivitiesConfig.ready."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import selectors
from activities.models import ActivityStatus, HostState
from branches.selectors import secretaries_of
from core.actors import system_actor
from core.reminders import Reminder, month_key, register

MEETINGS_DUE = "meetings-due"
MEETINGS_OVERDUE = "meetings-overdue"
COHOSTS_PENDING = "cohost-requests-pending"
# A co-hosting request unanswered this long is reminded of, once a week.
COHOST_PATIENCE = datetime.timedelta(days=3)


def _held_line(type_label: str, period_label: str, held: int, required: int) -> str:
    return _("%(type)s %(period)s: held %(held)s of %(required)s") % {
        "type": type_label,
        "period": period_label,
        "held": held,
        "required": required,
    }


def meetings_due(today: datetime.date) -> list[Reminder]:
    """Per organization, the required meetings whose period ends this month and that are not
    yet held as often as required (one reminder per organization and month; 5 queries)."""
    organizations = list(selectors._compliance_organizations(system_actor()))
    rows = selectors._compliance_rows(organizations, today.year, f"M{today.month:02d}")
    due: dict[int, list[selectors.ComplianceRow]] = {}
    for org_id, org_rows in rows.items():
        for row in org_rows:
            last = row.period.last
            if (last.year, last.month) == (today.year, today.month) and not row.met:
                due.setdefault(org_id, []).append(row)
    if not due:
        return []
    by_id = {org.pk: org for org in organizations if org.pk in due}
    secretaries = secretaries_of(by_id.values())
    url_name = "activities:compliance_organization"
    return [
        Reminder(
            recipients=secretaries[org_id],
            kind=MEETINGS_DUE,
            key=f"{MEETINGS_DUE}:{org_id}:{month_key(today)}",
            title=_("%(organization)s: due this month: %(types)s")
            % {
                "organization": by_id[org_id],
                "types": "、".join(dict.fromkeys(row.type_label for row in org_rows)),
            },
            body="\n".join(
                _held_line(row.type_label, row.period.label, row.held, row.required)
                for row in org_rows
            ),
            url=reverse(url_name, args=[org_id]),
        )
        for org_id, org_rows in due.items()
    ]


def meetings_overdue(today: datetime.date) -> list[Reminder]:
    """Per organization, the periods of this year that ended without the required meetings
    (selectors.overdue_compliance); one reminder per organization and month (5 queries)."""
    overdue: dict[int, list[selectors.OverdueItem]] = {}
    for item in selectors.overdue_compliance(system_actor(), today):
        overdue.setdefault(item.organization.pk, []).append(item)
    if not overdue:
        return []
    organizations = {items[0].organization.pk: items[0].organization for items in overdue.values()}
    secretaries = secretaries_of(organizations.values())
    return [
        Reminder(
            recipients=secretaries[org_id],
            kind=MEETINGS_OVERDUE,
            key=f"{MEETINGS_OVERDUE}:{org_id}:{month_key(today)}",
            title=_("%(organization)s: overdue, not held as required: %(types)s")
            % {
                "organization": organizations[org_id],
                "types": "、".join(dict.fromkeys(item.type_label for item in items)),
            },
            body="\n".join(
                _held_line(item.type_label, item.period_label, item.held, item.required)
                for item in items
            ),
            url=reverse("activities:compliance_organization", args=[org_id]),
        )
        for org_id, items in overdue.items()
    ]


def cohost_requests_pending(today: datetime.date) -> list[Reminder]:
    """Per asked organization, the co-hosting requests left unanswered for three days or more
    (of activities not cancelled); one reminder per organization and ISO week (2 queries)."""
    since = datetime.datetime.combine(today - COHOST_PATIENCE, datetime.time.max)
    pending: dict[int, list] = {}
    for link in (
        selectors.cohost_requests_for(system_actor())
        .filter(state=HostState.REQUESTED, requested_at__lte=timezone.make_aware(since))
        .exclude(activity__status=ActivityStatus.CANCELLED)
    ):
        pending.setdefault(link.organization_id, []).append(link)
    if not pending:
        return []
    organizations = {links[0].organization_id: links[0].organization for links in pending.values()}
    secretaries = secretaries_of(organizations.values())
    year, week, _day = today.isocalendar()
    return [
        Reminder(
            recipients=secretaries[org_id],
            kind=COHOSTS_PENDING,
            key=f"{COHOSTS_PENDING}:{org_id}:{year}-W{week:02d}",
            title=_("%(organization)s: %(count)s co-hosting requests await your answer")
            % {"organization": organizations[org_id], "count": len(links)},
            body="\n".join(
                f"{link.activity.organization}：{link.activity}（{timezone.localdate(link.activity.start):%Y-%m-%d}）"
                for link in links
            ),
            url=reverse("activities:cohost_requests"),
        )
        for org_id, links in pending.items()
    ]


def register_reminders() -> None:
    register(MEETINGS_DUE, gettext_lazy("Organizational life due this month"), meetings_due)
    register(MEETINGS_OVERDUE, gettext_lazy("Organizational life overdue"), meetings_overdue)
    register(
        COHOSTS_PENDING,
        gettext_lazy("Co-hosting requests awaiting an answer"),
        cohost_requests_pending,
    )
