"""Every evidence metric against records built by hand (year 2025, reference date 31 Dec)."""

import datetime
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest

from activities.services import (
    activity_create,
    attendance_record,
    required_frequencies_ensure_defaults,
)
from assessment import metrics, services
from assessment.models import Rectification
from branches import funds
from branches.models import Organization
from branches.services import committee_term_start, committee_term_update
from members.identity import make_id_number
from members.services import member_create
from venues.models import Booking, Room, Venue

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)


def item(max_points="10", **params):
    """A stand-in rubric item: the metrics only read max_points and metric_params."""
    return SimpleNamespace(max_points=Decimal(max_points), metric_params=params)


def at(year, month, day, hour=9):
    from django.utils import timezone

    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_default_timezone())


def member(organization, staff_user, name="王建国", **fields):

    born = datetime.date(1950, 3, 1)
    return member_create(
        acting_user=staff_user,
        organization=organization,
        name=name,
        gender="male",
        birth_date=born,
        id_number=make_id_number("640104", born, next(_ids), "male"),
        **fields,
    )


def held(organization, staff_user, type, when, co_hosts=()):

    return activity_create(
        type=type,
        organization=organization,
        title=f"{type} {when:%m-%d}",
        start=when,
        end=when + datetime.timedelta(hours=2),
        status="held",
        co_hosts=co_hosts,
        acting_user=staff_user,
    )


def test_registry_lists_every_metric_of_the_issue():
    assert set(metrics.REGISTRY) == {
        "meetings",
        "participation",
        "joint_activities",
        "shared_venue_uses",
        "community_registration",
        "six_haves",
        "overdue_term",
        "open_rectifications",
    }


def test_meetings_held_vs_required(org_tree, staff_user):

    required_frequencies_ensure_defaults()
    b = org_tree.branch_b
    held(b, staff_user, "committee_meeting", at(2025, 1, 6))
    held(b, staff_user, "committee_meeting", at(2025, 1, 20))  # a second one in January: no credit
    held(b, staff_user, "general_meeting", at(2025, 2, 10))
    held(b, staff_user, "general_meeting", at(2024, 12, 10))  # another year
    result = metrics.compute("meetings", b, 2025)
    # branch: 12 committee + 4 general + 4 lectures + 12 theme days + 1 life meeting + 1 review
    assert result.display == "2/34"
    assert "34" in result.explanation
    assert result.suggested_score(item("10")) == Decimal("0.6")  # 10 × 2/34
    assert result.suggested_score(item("10", types=["general_meeting"])) == Decimal("2.5")
    assert any("/activities/" in url for _label, url in result.links)


def test_participation_rate(org_tree, staff_user):

    b = org_tree.branch_b
    people = [member(b, staff_user, name) for name in ("甲", "乙", "丙", "丁")]
    outsider = member(org_tree.branch_a, staff_user, "戊")
    activity = held(b, staff_user, "theme_day", at(2025, 5, 5))
    attendance_record(
        activity=activity,
        entries={
            people[0].pk: "present",
            people[1].pk: "present",
            people[2].pk: "excused",
            people[3].pk: "absent",
        },
        acting_user=staff_user,
    )
    other = held(org_tree.branch_a, staff_user, "theme_day", at(2025, 5, 6))
    attendance_record(activity=other, entries={outsider.pk: "absent"}, acting_user=staff_user)
    result = metrics.compute("participation", b, 2025)
    assert result.value == pytest.approx(2 / 3)
    assert result.display == "66.7%"
    assert result.suggested_score(item("10")) == Decimal("7.4")  # 10 × 0.667 / 0.9
    assert result.suggested_score(item("10", full_at=0.5)) == Decimal("10.0")
    empty = metrics.compute("participation", b, 2024)
    assert empty.value is None and empty.suggested_score(item("10")) is None


def test_joint_activities(org_tree, staff_user):

    b = org_tree.branch_b
    held(b, staff_user, "volunteering", at(2025, 3, 1), co_hosts=[org_tree.branch_a])
    held(org_tree.branch_a, staff_user, "culture", at(2025, 4, 1), co_hosts=[b])
    held(b, staff_user, "culture", at(2025, 4, 2))  # alone: not joint
    activity_create(
        type="culture",
        organization=b,
        title="planned",
        start=at(2025, 6, 1),
        end=at(2025, 6, 1, 11),
        co_hosts=[org_tree.branch_a],
        acting_user=staff_user,
    )  # planned, never held
    result = metrics.compute("joint_activities", b, 2025)
    assert result.value == 2
    assert result.suggested_score(item("3", points_each=1)) == Decimal("2.0")
    assert result.suggested_score(item("1.5", points_each=1)) == Decimal("1.5")  # capped
    assert result.suggested_score(item("10", full_at=4)) == Decimal("5.0")


def test_shared_venue_uses(org_tree, staff_user):

    venue = Venue.objects.create(name="阅海万家党群服务中心", owner=org_tree.branch_a)
    room = Room.objects.create(venue=venue, name="多功能会议室", type="meeting", capacity=40)
    common = {"room": room, "purpose": "学习", "expected_attendees": 10}
    Booking.objects.create(
        organization=org_tree.branch_b,
        start=at(2025, 3, 3),
        end=at(2025, 3, 3, 11),
        status="approved",
        **common,
    )
    Booking.objects.create(
        organization=org_tree.branch_b,
        start=at(2025, 3, 4),
        end=at(2025, 3, 4, 11),
        status="rejected",
        **common,
    )
    Booking.objects.create(
        organization=org_tree.branch_a,
        start=at(2025, 3, 5),
        end=at(2025, 3, 5, 11),
        status="approved",
        **common,
    )  # owner's own
    Booking.objects.create(
        organization=org_tree.branch_b,
        start=at(2024, 3, 5),
        end=at(2024, 3, 5, 11),
        status="approved",
        **common,
    )  # 2024
    for_b = metrics.compute("shared_venue_uses", org_tree.branch_b, 2025)
    assert for_b.value == 1
    for_a = metrics.compute("shared_venue_uses", org_tree.branch_a, 2025)
    assert for_a.value == 1 and "1" in for_a.explanation
    assert for_b.suggested_score(item("2", points_each="0.5")) == Decimal("0.5")
    assert any(
        url.startswith("/venues/bookings/?") and "shared=yes" in url for _label, url in for_b.links
    )


def test_members_registered_to_a_community(org_tree, staff_user):
    b = org_tree.branch_b
    community = org_tree.community
    member(
        b, staff_user, "甲", registered_community=community, registered_on=datetime.date(2024, 5, 1)
    )
    member(
        b,
        staff_user,
        "乙",
        registered_community=community,
        registered_on=datetime.date(2025, 12, 31),
    )
    member(
        b, staff_user, "丙", registered_community=community, registered_on=datetime.date(2026, 1, 5)
    )  # after 2025
    member(b, staff_user, "丁")
    member(
        org_tree.branch_a,
        staff_user,
        "戊",
        registered_community=community,
        registered_on=datetime.date(2024, 1, 1),
    )
    result = metrics.compute("community_registration", b, 2025)
    assert result.display == "2/4 (50.0%)"
    assert result.suggested_score(item("9")) == Decimal("5.0")  # 9 × 0.5 / 0.9
    assert result.suggested_score(item("9", full_at=0.5)) == Decimal("9.0")
    urls = [url for _label, url in result.links]
    assert f"/members/?organization={b.pk}&registered=yes" in urls


def test_six_haves(org_tree):

    Organization.objects.filter(pk=org_tree.branch_b.pk).update(
        has_theme=True, has_plan=True, has_venue=True
    )
    org_tree.branch_b.refresh_from_db()
    result = metrics.compute("six_haves", org_tree.branch_b, 2025)
    assert result.display == "3/6"
    assert result.suggested_score(item("6")) == Decimal("3.0")
    assert result.suggested_score(item("6", full_at=0.5)) == Decimal("6.0")


def test_six_haves_counts_an_allocation_of_the_assessed_year_in_the_funds_ledger(
    org_tree, staff_user
):
    b = org_tree.branch_b
    assert not b.has_funding
    funds.allocation_record(
        organization=b,
        acting_user=staff_user,
        date=datetime.date(2025, 3, 1),
        amount=Decimal("2000.00"),
        source="bureau",
    )
    assert metrics.compute("six_haves", b, 2025).display == "1/6"  # 经费有保障
    assert metrics.compute("six_haves", b, 2024).display == "0/6"  # not in that year


def test_overdue_term(org_tree, staff_user):

    b = org_tree.branch_b
    assert metrics.compute("overdue_term", b, 2025).suggested_score(item("5")) is None
    term = committee_term_start(
        organization=b, acting_user=staff_user, started_on=datetime.date(2021, 3, 1)
    )  # ends 2024-03-01
    result = metrics.compute("overdue_term", b, 2025)
    assert result.value is True and result.suggested_score(item("5")) == Decimal("0.0")
    assert metrics.compute("overdue_term", b, 2023).suggested_score(item("5")) == Decimal("5.0")
    committee_term_update(
        term=term,
        acting_user=staff_user,
        extended_until=datetime.date(2025, 2, 28),
        extension_reason="换届推迟",
    )
    assert metrics.compute("overdue_term", b, 2025).value is True  # extension ran out too
    committee_term_start(
        organization=b, acting_user=staff_user, started_on=datetime.date(2025, 3, 1)
    )
    result = metrics.compute("overdue_term", b, 2025)
    assert result.value is False and result.suggested_score(item("5")) == Decimal("5.0")


def test_open_rectifications(org_tree, staff_user):
    b = org_tree.branch_b
    inspection = services.inspection_record(
        kind="unannounced",
        date=datetime.date(2025, 4, 1),
        organization=b,
        inspectors=[staff_user],
        findings="会议记录不全",
        acting_user=staff_user,
    )
    make = lambda text, deadline: services.rectification_add(  # noqa: E731
        inspection=inspection, required=text, deadline=deadline, acting_user=staff_user
    )
    make("补齐记录", datetime.date(2025, 6, 30))  # open, overdue
    make("完善计划", datetime.date(2026, 1, 31))  # open, not yet due at 2025-12-31
    done = make("更新台账", datetime.date(2025, 5, 31))
    services.rectification_mark_done(
        rectification=done, done_on=datetime.date(2025, 5, 1), acting_user=staff_user
    )
    late = make("整改阵地", datetime.date(2025, 10, 1))
    Rectification.objects.filter(pk=late.pk).update(
        status="done", done_on=datetime.date(2026, 2, 1)
    )
    other = services.inspection_record(
        kind="routine",
        date=datetime.date(2025, 4, 1),
        organization=org_tree.branch_a,
        inspectors=[],
        findings="x",
        acting_user=staff_user,
    )
    services.rectification_add(
        inspection=other, required="x", deadline=datetime.date(2025, 5, 1), acting_user=staff_user
    )
    result = metrics.compute("open_rectifications", b, 2025)
    assert result.value == 3  # the late one was still open on 31 December
    assert "2" in result.display  # 2 overdue
    assert result.suggested_score(item("5")) == Decimal("0.5")  # 5 − 0.5 − 2 × 2
    assert result.suggested_score(item("5", per_overdue=1, per_open=0)) == Decimal("3.0")
    assert any("/assessment/" in url for _label, url in result.links)


def test_suggestion_never_below_zero_nor_above_maximum(org_tree, staff_user):
    result = metrics.MetricResult(
        value=1, display="1", explanation="", scorer=lambda i: Decimal("99")
    )
    assert result.suggested_score(item("5")) == Decimal("5.0")
    result.scorer = lambda i: Decimal("-3")
    assert result.suggested_score(item("5")) == Decimal("0.0")
