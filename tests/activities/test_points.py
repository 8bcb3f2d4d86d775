"""Volunteer points: from hours with a cap per activity, balances, exchanges and reversals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Activity, PointsEntry, PointsEntryKind, VolunteerHours
from activities.services import ActivityError
from activities.services.points import (
    balance_of,
    points_entry_reverse,
    points_exchange,
    points_for_hours,
    points_rule_set,
    points_sync,
)
from members.identity import make_id_number
from members.services import member_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org_tree, staff_user):
    born = datetime.date(1950, 3, 1)
    return member_create(
        acting_user=staff_user,
        organization=org_tree.branch_a,
        name="志愿者",
        gender="male",
        birth_date=born,
        id_number=make_id_number("640104", born, 7, "male"),
    )


def _hosted(org_tree, title):
    start = timezone.now() - datetime.timedelta(days=3)
    return Activity.objects.create(
        title=title,
        type="volunteering",
        status="held",
        organization=org_tree.branch_a,
        start=start,
        end=start + datetime.timedelta(hours=3),
    )


def _hours(member, activity, hours, staff_user):
    VolunteerHours.objects.update_or_create(
        member=member,
        activity=activity,
        defaults={
            "hours": Decimal(hours),
            "date": timezone.localdate() - datetime.timedelta(days=3),
            "recorded_by": staff_user,
        },
    )


@pytest.fixture
def rule(staff_user):
    return points_rule_set(
        points_per_hour="10",
        cap_per_activity="30",
        effective_from=datetime.date(2020, 1, 1),
        acting_user=staff_user,
    )


def test_points_from_hours_with_a_cap(rule):
    assert points_for_hours(Decimal("2.5"), rule) == Decimal("25.0")
    assert points_for_hours(Decimal("8"), rule) == Decimal("30.0")  # capped per activity
    assert points_for_hours(Decimal("2"), None) == Decimal("0.0")


def test_sync_earns_then_reverses_on_a_change(org_tree, member, staff_user, rule):
    one, two = _hosted(org_tree, "一"), _hosted(org_tree, "二")
    _hours(member, one, "2", staff_user)
    _hours(member, two, "6", staff_user)
    assert points_sync() == 2
    assert balance_of(member) == Decimal("50.0")  # 20 + 30 (capped)
    assert points_sync() == 0  # idempotent

    _hours(member, one, "1", staff_user)
    assert points_sync(activity_ids=[one.pk]) == 2  # a reversal and a new line
    assert balance_of(member) == Decimal("40.0")
    reversal = PointsEntry.objects.get(kind=PointsEntryKind.REVERSAL)
    assert reversal.points == Decimal("-20.0") and reversal.reverses.points == Decimal("20.0")
    assert PointsEntry.objects.count() == 4  # nothing edited away


def test_exchange_within_the_balance_and_its_reversal(
    org_tree, member, staff_user, rule, other_secretary
):
    activity = _hosted(org_tree, "一")
    _hours(member, activity, "2", staff_user)
    points_sync()
    with pytest.raises(ActivityError) as too_much:
        points_exchange(
            member=member, points="25", exchanged_for="理发服务", acting_user=staff_user
        )
    assert "20.0" in str(too_much.value)
    with pytest.raises(ActivityError):
        points_exchange(member=member, points="5", exchanged_for="x", acting_user=other_secretary)
    exchange = points_exchange(
        member=member, points="15", exchanged_for="理发服务", acting_user=staff_user
    )
    assert balance_of(member) == Decimal("5.0")
    points_entry_reverse(entry=exchange, note="登记错误", acting_user=staff_user)
    assert balance_of(member) == Decimal("20.0")
    with pytest.raises(ActivityError):
        points_entry_reverse(entry=exchange, note="again", acting_user=staff_user)
