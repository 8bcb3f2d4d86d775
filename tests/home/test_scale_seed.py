"""`seed_demo --scale 2` runs every step to the end, doubles what it says it doubles, keeps
unique names unique, and a second run adds nothing (about 30 s on SQLite)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from activities.models import Activity, Attendance
from branches.models import Organization
from members.models import Member
from venues.models import Booking, Venue

pytestmark = pytest.mark.django_db

pytest.importorskip("venues.demo")
pytest.importorskip("activities.demo")


def _counts():

    return {
        "organizations": Organization.objects.count(),
        "members": Member.objects.count(),
        "venues": Venue.objects.count(),
        "bookings": Booking.objects.count(),
        "activities": Activity.objects.count(),
        "attendance": Attendance.objects.count(),
    }


def test_seed_demo_scale_2_runs_every_step_and_is_idempotent(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--scale", "2", stdout=out)
    log = out.getvalue()
    for step in ("branches:", "members:", "venues:", "activities:", "assessment:"):
        assert step in log, log
    assert "skipped" not in log, log

    # Twice the city: 122 established branches; the pilot communities' venues twice over,
    # their names kept unique with a number; twice the joint activities and shared uses.
    assert Organization.objects.filter(kind="branch", category="established").count() == 122
    pilot_venues = Venue.objects.filter(
        owner__kind="community_org", owner__pilot_year__isnull=False
    )
    assert pilot_venues.count() == 12
    assert Venue.objects.filter(name="北关社区党群服务中心（2）").exists()
    assert not Venue.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert Venue.objects.filter(demonstration_year__isnull=False).count() == 28
    theme_days = Activity.objects.filter(title__startswith="市直部门离退休干部联合主题党日")
    assert theme_days.count() == 2 * 32
    assert Activity.objects.filter(is_joint=True).count() >= 2 * 254
    assert "(276 shared uses)" in log
    # The hubs keep a load their free slots can take.
    hub_bookings = Booking.objects.filter(room__venue__is_hub=True).count()
    assert 0 < hub_bookings < Booking.objects.count()

    before = _counts()
    again = io.StringIO()
    call_command("seed_demo", "--scale", "2", stdout=again)
    assert _counts() == before
    assert "branches: 0 organizations created" in again.getvalue()
