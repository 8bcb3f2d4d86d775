"""A booking series is decided in one step: "approve all N dates" on the approval queue and on
the booking's page, one transaction, each date rechecked; a date that cannot be approved is
left requested and named by date (issue 19, build item 8)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.venues.conftest import at, days_ahead
from venues.models import Booking, Closure
from venues.services import BookingError, series_create, series_decide

pytestmark = pytest.mark.django_db


def _series(venue_setup, user, *, start_day=None, count=4, purpose="合唱团排练"):
    start_day = start_day or days_ahead(2)
    return series_create(
        room=venue_setup.oath,  # needs approval: every date waits
        organization=user.organization,
        start=at(start_day, 14),
        end=at(start_day, 16),
        purpose=purpose,
        expected_attendees=10,
        rule="weekly",
        count=count,
        acting_user=user,
    )


def _texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_approve_all_approves_every_date_but_the_one_now_in_the_way(
    client, venue_setup, secretary_user
):
    result = _series(venue_setup, secretary_user)
    assert {b.status for b in result.bookings} == {"requested"}
    third = result.bookings[2]
    local_day = timezone.localtime(third.start).date()
    # The venue closes on the third date after the request was made.
    Closure.objects.create(
        venue=venue_setup.venue, starts_on=local_day, ends_on=local_day, reason="电路改造"
    )
    client.force_login(venue_setup.owner_secretary)
    response = client.post(
        f"/venues/bookings/{result.bookings[0].pk}/series/approve/", {"next": "queue"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/venues/approvals/"
    statuses = dict(Booking.objects.filter(series=result.series).values_list("pk", "status"))
    assert statuses.pop(third.pk) == "requested"
    assert set(statuses.values()) == {"approved"}
    texts = _texts(response)
    assert any(local_day.strftime("%Y-%m-%d") in t and "电路改造" in t for t in texts), texts
    assert any("3" in t for t in texts)


def test_reject_all_needs_a_reason_and_rejects_every_waiting_date(
    client, venue_setup, secretary_user
):
    result = _series(venue_setup, secretary_user, count=3)
    client.force_login(venue_setup.owner_secretary)
    url = f"/venues/bookings/{result.bookings[1].pk}/series/reject/"
    assert client.get(url).status_code == 405
    client.post(url, {"reason": ""})
    assert set(Booking.objects.filter(series=result.series).values_list("status", flat=True)) == {
        "requested"
    }
    client.post(url, {"reason": "宣誓室本季度整修"})
    rows = Booking.objects.filter(series=result.series)
    assert {(b.status, b.decision_note) for b in rows} == {("rejected", "宣誓室本季度整修")}


def test_a_secretary_who_does_not_keep_the_venue_cannot_decide_the_series(
    client, venue_setup, secretary_user, other_secretary
):
    result = _series(venue_setup, secretary_user, count=2)
    client.force_login(other_secretary)
    response = client.post(f"/venues/bookings/{result.bookings[0].pk}/series/approve/")
    assert response.status_code in (403, 404)
    assert set(Booking.objects.filter(series=result.series).values_list("status", flat=True)) == {
        "requested"
    }


def test_series_decide_is_one_transaction_and_refuses_when_nothing_waits(
    venue_setup, secretary_user
):
    result = _series(venue_setup, secretary_user, count=2)
    done = series_decide(
        series=result.series, decision="approve", acting_user=venue_setup.owner_secretary
    )
    assert len(done.decided) == 2 and not done.left
    with pytest.raises(BookingError):
        series_decide(
            series=result.series, decision="approve", acting_user=venue_setup.owner_secretary
        )


def test_queue_and_booking_page_offer_approve_all_without_a_query_per_series(
    client, venue_setup, secretary_user
):
    client.force_login(venue_setup.owner_secretary)
    _series(venue_setup, secretary_user, count=4, purpose="合唱团排练")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/venues/approvals/").content.decode()
    assert "4" in page and "/series/approve/" in page
    for n in range(3):
        _series(
            venue_setup, secretary_user, start_day=days_ahead(3 + n), count=3, purpose=f"排练{n}"
        )
    with CaptureQueriesContext(connection) as more:
        client.get("/venues/approvals/")
    assert len(more) == len(few)
    booking = Booking.objects.filter(series__isnull=False).first()
    detail = client.get(f"/venues/bookings/{booking.pk}/").content.decode()
    assert f"/venues/bookings/{booking.pk}/series/approve/" in detail
    single = Booking.objects.filter(series__isnull=True)
    assert not single.exists()
