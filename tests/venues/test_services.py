import datetime

import pytest

from tests.venues.conftest import at, days_ahead
from venues import selectors
from venues.models import Booking, BookingSeries, BookingStatus
from venues.services import (
    BookingError,
    SeriesConflict,
    booking_approve,
    booking_cancel,
    booking_reject,
    booking_set_visitors,
    booking_update,
    series_change,
    series_create,
)

pytestmark = pytest.mark.django_db


def test_booking_without_approval_is_approved_and_back_to_back_is_allowed(venue_setup, book):
    day = days_ahead(3)
    first = book(venue_setup.meeting, at(day, 9), at(day, 10))
    second = book(venue_setup.meeting, at(day, 10), at(day, 11))
    assert first.status == second.status == "approved"
    assert Booking.objects.count() == 2


def test_overlap_is_refused_naming_the_booking_in_the_way(venue_setup, book, other_secretary):
    day = days_ahead(3)
    book(venue_setup.meeting, at(day, 9), at(day, 11), purpose="书画交流")
    with pytest.raises(BookingError) as caught:
        book(venue_setup.meeting, at(day, 10), at(day, 12), user=other_secretary)
    message = caught.value.message
    assert "书画交流" in message and "阅海万家地缘党支部" in message
    assert f"{day.month}月{day.day}日 09:00–11:00" in message
    assert "时间冲突" in message
    assert Booking.objects.count() == 1


def test_requested_booking_blocks_too_and_a_rejected_one_frees_the_slot(
    venue_setup, book, other_secretary
):
    day = days_ahead(4)
    requested = book(venue_setup.oath, at(day, 9), at(day, 10))
    assert requested.status == "requested"
    with pytest.raises(BookingError):
        book(venue_setup.oath, at(day, 9, 30), at(day, 10), user=other_secretary)
    booking_reject(
        booking=requested, acting_user=venue_setup.owner_secretary, reason="场地另有安排"
    )
    assert book(venue_setup.oath, at(day, 9), at(day, 10), user=other_secretary).pk


@pytest.mark.parametrize(
    "start_hour,end_hour,days,attendees,expected",
    [
        (11, 10, 3, 10, "结束"),  # end before start
        (6, 9, 3, 10, "开放时间"),  # outside opening hours
        (20, 22, 3, 10, "开放时间"),
        (9, 10, 20, 10, "闭馆"),  # closure (fixture: 20 days ahead)
        (9, 10, 3, 41, "容纳"),  # more attendees than capacity 40
        (9, 10, -1, 10, "已过去"),  # in the past
    ],
)
def test_bad_input_gives_a_chinese_error_and_saves_nothing(
    venue_setup, book, start_hour, end_hour, days, attendees, expected
):
    day = days_ahead(days)
    with pytest.raises(BookingError) as caught:
        book(venue_setup.meeting, at(day, start_hour), at(day, end_hour), attendees=attendees)
    assert expected in caught.value.message
    assert Booking.objects.count() == 0


def _series(venue_setup, secretary_user, **kwargs):
    start_day = kwargs.pop("start_day", days_ahead(1))
    params = {
        "room": venue_setup.meeting,
        "organization": secretary_user.organization,
        "start": at(start_day, 14),
        "end": at(start_day, 16),
        "purpose": "合唱团排练",
        "expected_attendees": 30,
        "rule": "weekly",
        "acting_user": secretary_user,
    }
    params.update(kwargs)
    return series_create(**params)


def test_series_finds_conflicts_on_every_occurrence(
    venue_setup, secretary_user, other_secretary, book
):
    start_day = venue_setup.closed_on - datetime.timedelta(days=14)  # week 3 hits the closure
    blocked = [start_day + datetime.timedelta(days=7), start_day + datetime.timedelta(days=35)]
    for day in blocked:
        book(venue_setup.meeting, at(day, 15), at(day, 17), user=other_secretary)
    with pytest.raises(SeriesConflict) as caught:
        _series(venue_setup, secretary_user, start_day=start_day, count=8)
    conflict_dates = {o.date for o in caught.value.conflicts}
    assert conflict_dates == {*blocked, venue_setup.closed_on}
    assert len(caught.value.occurrences) == 8
    assert Booking.objects.filter(series__isnull=False).count() == 0

    none = _series(venue_setup, secretary_user, start_day=start_day, count=8, on_conflict="none")
    assert none.series is None and none.bookings == []
    assert BookingSeries.objects.count() == 0

    skip = _series(venue_setup, secretary_user, start_day=start_day, count=8, on_conflict="skip")
    assert len(skip.bookings) == 5
    booked_days = {
        b.start.astimezone(blocked and at(start_day, 0).tzinfo).date() for b in skip.bookings
    }
    assert not booked_days & {*blocked, venue_setup.closed_on}


def test_series_over_two_years_is_refused(venue_setup, secretary_user):
    with pytest.raises(BookingError) as caught:
        _series(venue_setup, secretary_user, until=days_ahead(1) + datetime.timedelta(days=800))
    assert "两年" in caught.value.message
    with pytest.raises(BookingError):
        _series(venue_setup, secretary_user, rule="monthly", count=30)
    assert BookingSeries.objects.count() == 0


def test_cancel_this_and_following_keeps_the_earlier_ones(venue_setup, secretary_user):
    result = _series(venue_setup, secretary_user, count=6, rule="biweekly")
    bookings = sorted(result.bookings, key=lambda b: b.start)
    cancelled = booking_cancel(booking=bookings[3], acting_user=secretary_user, scope="following")
    assert cancelled == 3
    statuses = [b.status for b in Booking.objects.filter(series=result.series).order_by("start")]
    assert statuses == ["approved"] * 3 + ["cancelled"] * 3


def test_cancel_one_and_all(venue_setup, secretary_user):
    result = _series(venue_setup, secretary_user, count=4)
    bookings = sorted(result.bookings, key=lambda b: b.start)
    assert booking_cancel(booking=bookings[1], acting_user=secretary_user) == 1
    assert booking_cancel(booking=bookings[0], acting_user=secretary_user, scope="all") == 3
    assert not Booking.objects.filter(status="approved").exists()


def test_change_series_time_checks_every_occurrence(
    venue_setup, secretary_user, other_secretary, book
):
    result = _series(venue_setup, secretary_user, count=4)
    bookings = sorted(result.bookings, key=lambda b: b.start)
    day = bookings[2].start.date()
    book(
        venue_setup.meeting,
        at(bookings[2].start.astimezone(at(day, 0).tzinfo).date(), 9),
        at(bookings[2].start.astimezone(at(day, 0).tzinfo).date(), 10),
        user=other_secretary,
    )
    with pytest.raises(BookingError):
        series_change(
            booking=bookings[0],
            scope="all",
            start_time=datetime.time(9),
            end_time=datetime.time(11),
            purpose="合唱团排练",
            expected_attendees=30,
            acting_user=secretary_user,
        )
    assert (
        Booking.objects.filter(series=result.series, start__in=[b.start for b in bookings]).count()
        == 4
    )
    changed = series_change(
        booking=bookings[0],
        scope="following",
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        purpose="合唱团排练",
        expected_attendees=30,
        acting_user=secretary_user,
    )
    assert changed == 4


def test_update_one_occurrence_and_approval_flow(venue_setup, book, secretary_user):
    day = days_ahead(5)
    booking = book(venue_setup.oath, at(day, 9), at(day, 10))
    booking_approve(booking=booking, acting_user=venue_setup.owner_secretary)
    booking.refresh_from_db()
    assert booking.status == "approved" and booking.decided_by == venue_setup.owner_secretary
    booking_update(
        booking=booking,
        start=at(day, 10),
        end=at(day, 11),
        purpose="入党宣誓",
        expected_attendees=12,
        acting_user=secretary_user,
    )
    booking.refresh_from_db()
    assert booking.status == "requested"  # moved: the venue decides again


def test_shared_use_and_visitors(venue_setup, book, secretary_user):
    day = days_ahead(2)
    shared = book(venue_setup.meeting, at(day, 9), at(day, 10))
    own = book(venue_setup.meeting, at(day, 10), at(day, 11), user=venue_setup.owner_secretary)
    assert shared.is_shared_use and not own.is_shared_use
    assert selectors.shared_use_count() == 1
    assert selectors.shared_use_count(year=day.year, organization=secretary_user.organization) == 1
    assert selectors.shared_use_count(organization=venue_setup.owner, as_owner=True) == 1
    with pytest.raises(BookingError):
        booking_set_visitors(booking=shared, visitors=30, acting_user=secretary_user)  # not yet
    Booking.objects.filter(pk=shared.pk).update(
        start=at(days_ahead(-3), 9), end=at(days_ahead(-3), 10), status=BookingStatus.APPROVED
    )
    shared.refresh_from_db()
    booking_set_visitors(booking=shared, visitors=35, acting_user=secretary_user)
    assert selectors.visitors_total(days_ahead(-3).year) == 35


def test_free_rooms(venue_setup, book):
    day = days_ahead(3)
    book(venue_setup.meeting, at(day, 9), at(day, 11))
    free = selectors.free_rooms(
        user=None, date=day, start=datetime.time(10), end=datetime.time(12), attendees=10
    )
    assert list(free) == [venue_setup.oath]
    free = selectors.free_rooms(
        user=None, date=day, start=datetime.time(11), end=datetime.time(12), attendees=30
    )
    assert list(free) == [venue_setup.meeting]
    assert not selectors.free_rooms(
        user=None, date=venue_setup.closed_on, start=datetime.time(9), end=datetime.time(10)
    ).exists()
    assert not selectors.free_rooms(
        user=None, date=day, start=datetime.time(6), end=datetime.time(7)
    ).exists()
    with_projector = selectors.free_rooms(
        user=None,
        date=day,
        start=datetime.time(12),
        end=datetime.time(13),
        facility=venue_setup.projector,
    )
    assert list(with_projector) == [venue_setup.meeting]
