"""Reminders of the roster: transfers awaiting approval, to bureau staff who approve them
(members.approve_transfer) — registered into core.reminders from MembersConfig.ready."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Organization
from branches.selectors import secretaries_of
from core.actors import system_actor
from core.reminders import Reminder, bureau_staff, month_key, register
from members.models import Transfer, TransferState
from members.selectors.care import due_queryset

TRANSFER_REQUESTED = "transfer-requested"
CARE_VISITS_DUE = "care-visits-due"


def transfers_awaiting_approval(today: datetime.date) -> list[Reminder]:
    """One reminder per requested transfer (2 queries: the transfers and the staff)."""
    transfers = list(
        Transfer.objects.filter(state=TransferState.REQUESTED)
        .select_related("member", "from_organization", "to_organization")
        .order_by("requested_at", "pk")
    )
    if not transfers:
        return []
    staff = bureau_staff()
    url = reverse("members:transfers")
    return [
        Reminder(
            recipients=staff,
            kind=TRANSFER_REQUESTED,
            key=f"{TRANSFER_REQUESTED}:{transfer.pk}",
            title=_("Transfer awaiting approval: %(member)s, %(source)s → %(target)s")
            % {
                "member": transfer.member,
                "source": transfer.from_organization,
                "target": transfer.to_organization,
            },
            body=_("Requested on %(day)s. Approve it or return it with a reason.")
            % {"day": timezone.localdate(transfer.requested_at).isoformat()},
            url=url,
        )
        for transfer in transfers
    ]


def care_visits_due(today: datetime.date) -> list[Reminder]:
    """走访慰问: per organization with members due a visit this month, one reminder to its
    secretaries, and one summary to the bureau (keys per organization and month; 3 queries)."""
    counts: dict[int, int] = {}
    for org_id in due_queryset(
        system_actor(), year=today.year, month=today.month, today=today, everyone=True
    ).values_list("organization_id", flat=True):
        counts[org_id] = counts.get(org_id, 0) + 1
    if not counts:
        return []
    organizations = {o.pk: o for o in Organization.objects.filter(pk__in=counts)}
    secretaries = secretaries_of(organizations.values())
    url = reverse("members:care")
    reminders = [
        Reminder(
            recipients=secretaries.get(org_id, []),
            kind=CARE_VISITS_DUE,
            key=f"{CARE_VISITS_DUE}:{org_id}:{month_key(today)}",
            title=_("%(organization)s: %(count)s members are due a visit this month")
            % {"organization": organizations[org_id], "count": count},
            body=_("Open the care list and record each visit."),
            url=f"{url}?organization={org_id}",
        )
        for org_id, count in sorted(counts.items())
        if secretaries.get(org_id)
    ]
    reminders.append(
        Reminder(
            recipients=bureau_staff(),
            kind=CARE_VISITS_DUE,
            key=f"{CARE_VISITS_DUE}:bureau:{month_key(today)}",
            title=_(
                "%(count)s members in %(organizations)s organizations are due a visit this month"
            )
            % {"count": sum(counts.values()), "organizations": len(counts)},
            url=url,
        )
    )
    return reminders


def register_reminders() -> None:
    register(
        TRANSFER_REQUESTED, gettext_lazy("Transfers awaiting approval"), transfers_awaiting_approval
    )
    register(CARE_VISITS_DUE, gettext_lazy("Care visits due"), care_visits_due)
