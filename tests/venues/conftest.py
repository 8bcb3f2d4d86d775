"""Venues fixtures: a community venue open every day 08:00–21:00 with two rooms."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from venues.models import Closure, Facility, OpeningHours, Room, Venue
from venues.services import booking_create


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def days_ahead(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def venue_setup(org_tree, make_user):
    from tests.factories import make_org

    owner = make_org(
        name="阅海万家社区党委",
        kind="community_org",
        district=org_tree.district,
        community=org_tree.community,
    )
    venue = Venue.objects.create(
        name="阅海万家社区党群服务站",
        address="上海西路 1 号",
        district=org_tree.district,
        community=org_tree.community,
        owner=owner,
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            venue=venue, weekday=weekday, opens=datetime.time(8), closes=datetime.time(21)
        )
    closed_on = days_ahead(20)
    Closure.objects.create(venue=venue, starts_on=closed_on, ends_on=closed_on, reason="设备检修")
    projector, _ = Facility.objects.get_or_create(code="projector", defaults={"name": "投影仪"})
    meeting = Room.objects.create(
        venue=venue, name="多功能会议室", type="meeting", capacity=40, needs_approval=False
    )
    meeting.facilities.add(projector)
    oath = Room.objects.create(
        venue=venue, name="党员宣誓室", type="oath", capacity=20, needs_approval=True
    )
    owner_secretary = make_user("owner_sec", role="secretary", organization=owner)
    liaison = make_user("liaison_org", role="liaison", organization=org_tree.branch_b)
    return SimpleNamespace(
        owner=owner,
        venue=venue,
        meeting=meeting,
        oath=oath,
        projector=projector,
        closed_on=closed_on,
        owner_secretary=owner_secretary,
        liaison=liaison,
    )


@pytest.fixture
def book(secretary_user):
    """booking_create with sensible defaults."""

    def _book(room, start, end, *, organization=None, user=None, purpose="主题党日", attendees=10):
        user = user or secretary_user
        return booking_create(
            room=room,
            organization=organization or user.organization,
            start=start,
            end=end,
            purpose=purpose,
            expected_attendees=attendees,
            acting_user=user,
        )

    return _book
