"""Transfers awaiting approval remind bureau staff, who approve them."""

from __future__ import annotations

import datetime

import pytest

from core.models import Notification
from core.reminders import send_reminders
from members.reminders import CARE_VISITS_DUE, care_visits_due, transfers_awaiting_approval
from members.services import care_flag_add, member_transfer_approve, member_transfer_request

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


# --- Care visits due (走访慰问) ------------------------------------------------------------------


@pytest.fixture
def due_world(org_tree, make_member, staff_user):
    """In March 2026, branch A: 马 turns 80 and 杨 is in hospital with no visit; 周 is not due.
    Branch B: 丁 turns 70."""
    make_member(org_tree.branch_a, name="马寿星", born=datetime.date(1946, 3, 2))
    ill = make_member(org_tree.branch_a, name="杨住院", born=datetime.date(1950, 6, 1))
    care_flag_add(
        member=ill, kind="ill", since=datetime.date(2025, 6, 1), note="", acting_user=staff_user
    )
    make_member(org_tree.branch_a, name="周平常", born=datetime.date(1955, 7, 1))
    make_member(org_tree.branch_b, name="丁七十", born=datetime.date(1956, 3, 10))
    return org_tree


def _care_inbox(user):
    return list(Notification.objects.filter(user=user, kind=CARE_VISITS_DUE).order_by("pk"))


def test_care_visits_due_one_reminder_per_organization_to_its_secretaries(
    due_world, staff_user, secretary_user, other_secretary
):
    reminders = care_visits_due(TODAY)
    by_key = {r.key: r for r in reminders}
    a, b = due_world.branch_a, due_world.branch_b
    assert set(by_key) == {
        f"care-visits-due:{a.pk}:2026-03",
        f"care-visits-due:{b.pk}:2026-03",
        "care-visits-due:bureau:2026-03",
    }
    mine = by_key[f"care-visits-due:{a.pk}:2026-03"]
    assert mine.recipients == [secretary_user]
    assert a.name in mine.title and "2" in mine.title  # 马 and 杨, not 周
    assert mine.url == f"/members/care/?organization={a.pk}"
    assert by_key[f"care-visits-due:{b.pk}:2026-03"].recipients == [other_secretary]
    bureau = by_key["care-visits-due:bureau:2026-03"]
    assert bureau.recipients == [staff_user] and "3" in bureau.title


def test_care_reminders_are_sent_once_a_month(
    due_world, staff_user, secretary_user, other_secretary
):
    send_reminders(today=TODAY, kinds=[CARE_VISITS_DUE])
    assert len(_care_inbox(secretary_user)) == 1
    assert len(_care_inbox(other_secretary)) == 1
    assert len(_care_inbox(staff_user)) == 1
    assert "马寿星" not in _care_inbox(other_secretary)[0].title  # nothing of branch A's
    send_reminders(today=TODAY, kinds=[CARE_VISITS_DUE])
    send_reminders(today=TODAY + datetime.timedelta(days=5), kinds=[CARE_VISITS_DUE])
    assert len(_care_inbox(secretary_user)) == 1  # idempotent within the month
    assert len(_care_inbox(staff_user)) == 1


def test_no_care_reminder_when_nobody_is_due(org_tree, make_member, secretary_user):
    make_member(org_tree.branch_a, name="周平常", born=datetime.date(1955, 7, 1))
    assert care_visits_due(TODAY) == []
    send_reminders(today=TODAY, kinds=[CARE_VISITS_DUE])
    assert _care_inbox(secretary_user) == []
