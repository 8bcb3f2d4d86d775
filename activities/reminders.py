"""Reminders of organizational life (三会一课): the meetings due this month and those overdue,
from the compliance rules (RequiredFrequency, read through activities.selectors' compliance
computation) — registered into core.reminders from ActivitiesConfig.ready."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import selectors
from branches.selectors import secretaries_of
from core.actors import system_actor
from core.reminders import Reminder, month_key, register

MEETINGS_DUE = "meetings-due"
MEETINGS_OVERDUE = "meetings-overdue"


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


def register_reminders() -> None:
    register(MEETINGS_DUE, gettext_lazy("Organizational life due this month"), meetings_due)
    register(MEETINGS_OVERDUE, gettext_lazy("Organizational life overdue"), meetings_overdue)
