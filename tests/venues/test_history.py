"""Change history (修改记录) of a booking: written with the acting user, shown to those who may
change the booking, hidden from readers, a 404 for another organization's secretary."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.venues.conftest import at, days_ahead
from venues import services
from venues.models import Booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(venue_setup, book):
    day = days_ahead(3)
    return book(venue_setup.oath, at(day, 9), at(day, 10), purpose="入党宣誓")


def _change(client, booking, purpose):
    return client.post(
        f"/venues/bookings/{booking.pk}/change/",
        {
            "date": f"{days_ahead(3):%Y-%m-%d}",
            "start_time": "09:00",
            "end_time": "10:00",
            "purpose": purpose,
            "expected_attendees": 10,
            "scope": "one",
        },
    )


def test_change_through_the_page_records_the_acting_user(client, booking, secretary_user):
    client.force_login(secretary_user)
    response = _change(client, booking, "新党员入党宣誓")
    assert response.status_code == 302
    latest = booking.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == secretary_user
    assert latest.purpose == "新党员入党宣誓"
    assert booking.history.count() == 2  # created, then changed

    page = client.get(f"/venues/bookings/{booking.pk}/").content.decode()
    assert "修改记录" in page
    assert "入党宣誓 → 新党员入党宣誓" in page
    assert secretary_user.username in page or str(secretary_user) in page


def test_decision_shows_status_and_decider(client, venue_setup, booking, staff_user):
    client.force_login(venue_setup.owner_secretary)
    assert client.post(f"/venues/bookings/{booking.pk}/approve/").status_code == 302
    client.force_login(staff_user)
    page = client.get(f"/venues/bookings/{booking.pk}/").content.decode()
    assert "待审批 → 已批准" in page
    assert f"— → {venue_setup.owner_secretary}" in page


@pytest.mark.parametrize(
    "role,status,sees_history",
    [
        ("staff_user", 200, True),
        ("secretary_user", 200, True),  # the booking organization's secretary
        ("owner", 200, True),  # the venue's owner decides
        ("viewer_user", 200, False),
        ("supervisor_user", 200, False),
        ("other_secretary", 404, False),
    ],
)
def test_who_sees_the_history(request, client, venue_setup, booking, role, status, sees_history):
    user = venue_setup.owner_secretary if role == "owner" else request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(f"/venues/bookings/{booking.pk}/")
    assert response.status_code == status
    assert ("修改记录" in response.content.decode()) is sees_history


def test_history_section_runs_bounded_queries(client, venue_setup, booking, staff_user):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/venues/bookings/{booking.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def change(times):
        for i in range(times):
            fresh = Booking.objects.get(pk=booking.pk)
            services.booking_update(
                booking=fresh,
                start=fresh.start,
                end=fresh.end,
                purpose=f"入党宣誓{fresh.history.count()}",
                expected_attendees=10 + i % 5,
                acting_user=staff_user,
            )

    client.force_login(staff_user)
    change(2)
    few = count()
    change(30)
    assert booking.history.count() > 30
    assert count() == few
    page = client.get(f"/venues/bookings/{booking.pk}/").content.decode()
    assert "入党宣誓31 → 入党宣誓32" in page
    assert "仅显示最近 20 条修改" in page


def test_approval_and_cancellation_name_their_actions(venue_setup, booking, secretary_user):
    services.booking_approve(booking=booking, acting_user=venue_setup.owner_secretary)
    services.booking_cancel(booking=booking, acting_user=secretary_user)
    records = list(booking.history.order_by("history_date", "history_id"))
    assert [r.history_change_reason for r in records] == [
        "venues.booking.create",
        "venues.booking.approve",
        "venues.booking.cancel",
    ]
    assert [r.status for r in records] == ["requested", "approved", "cancelled"]
    assert records[1].history_user == venue_setup.owner_secretary
    assert records[2].history_user == secretary_user


def test_rejection_and_series_cancellation_name_their_actions(venue_setup, booking, secretary_user):
    services.booking_reject(
        booking=booking, acting_user=venue_setup.owner_secretary, reason="当天有检查"
    )
    latest = booking.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "venues.booking.reject"
    assert latest.decision_note == "当天有检查"

    day = days_ahead(4)
    result = services.series_create(
        room=venue_setup.meeting,
        organization=secretary_user.organization,
        start=at(day, 14),
        end=at(day, 15),
        purpose="合唱排练",
        expected_attendees=10,
        rule="weekly",
        count=3,
        acting_user=secretary_user,
    )
    first = result.bookings[0]
    assert services.booking_cancel(booking=first, acting_user=secretary_user, scope="all") == 3
    for item in result.bookings:
        assert [r.history_change_reason for r in item.history.order_by("history_id")] == [
            "venues.booking.create_in_series",
            "venues.booking.cancel",
        ]
