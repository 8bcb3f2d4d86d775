"""Transfers awaiting approval remind bureau staff, who approve them."""

from __future__ import annotations

import datetime

import pytest

from members.reminders import transfers_awaiting_approval
from members.services import member_transfer_approve, member_transfer_request

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


def test_a_requested_transfer_reminds_staff_until_approved(
    org_tree, make_member, staff_user, secretary_user, other_secretary
):
    member = make_member(org_tree.branch_a, name="李红梅")
    transfer = member_transfer_request(
        member=member, to_organization=org_tree.branch_b, reason="迁居", acting_user=secretary_user
    )
    (reminder,) = transfers_awaiting_approval(TODAY)
    assert reminder.recipients == [staff_user]  # secretaries do not approve transfers
    assert "李红梅" in reminder.title and org_tree.branch_b.name in reminder.title
    assert reminder.url == "/members/transfers/"
    assert reminder.key == f"transfer-requested:{transfer.pk}"
    member_transfer_approve(transfer=transfer, acting_user=staff_user)
    assert transfers_awaiting_approval(TODAY) == []
