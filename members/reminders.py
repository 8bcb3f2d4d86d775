"""Reminders of the roster: transfers awaiting approval, to bureau staff who approve them
(members.approve_transfer) — registered into core.reminders from MembersConfig.ready."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.reminders import Reminder, bureau_staff, register
from members.models import Transfer, TransferState

TRANSFER_REQUESTED = "transfer-requested"


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


def register_reminders() -> None:
    register(
        TRANSFER_REQUESTED, gettext_lazy("Transfers awaiting approval"), transfers_awaiting_approval
    )
