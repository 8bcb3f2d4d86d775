"""Bookings awaiting approval for 2 days or more remind those who decide on them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from venues.models import Booking, BookingSeries, BookingStatus
from venues.reminders import bookings_waiting

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def request(
    setup, org, *, made_days_ago: int, starts_in: int = 5, status=BookingStatus.REQUESTED, **fields
):
    day = TODAY + datetime.timedelta(days=starts_in)
    booking = Booking.objects.create(
        room=setup.oath,
        organization=org,
        purpose="主题党日",
        start=at(day, 9),
        end=at(day, 11),
        expected_attendees=10,
        status=status,
        **fields,
    )
    # 23:00 of that day: a day late in the evening is still that day
    Booking.objects.filter(pk=booking.pk).update(
        created_at=at(TODAY - datetime.timedelta(days=made_days_ago), 23)
    )
    return booking


def test_two_days_reminds_one_day_does_not(venue_setup, org_tree):
    waiting = request(venue_setup, org_tree.branch_b, made_days_ago=2)
    request(venue_setup, org_tree.branch_b, made_days_ago=1, starts_in=6)
    reminders = bookings_waiting(TODAY)
    assert [r.key for r in reminders] == [f"booking-waiting:booking:{waiting.pk}"]
    (reminder,) = reminders
    assert reminder.recipients == [venue_setup.owner_secretary]
    assert org_tree.branch_b.name in reminder.title and venue_setup.venue.name in reminder.title
    assert reminder.url == f"/venues/bookings/{waiting.pk}/"


def test_decided_and_past_bookings_do_not_remind(venue_setup, org_tree):
    request(venue_setup, org_tree.branch_b, made_days_ago=5, status=BookingStatus.APPROVED)
    request(venue_setup, org_tree.branch_b, made_days_ago=5, starts_in=-1)
    assert bookings_waiting(TODAY) == []


def test_owner_without_secretary_goes_to_bureau_staff(venue_setup, org_tree, staff_user):
    venue_setup.owner_secretary.is_active = False
    venue_setup.owner_secretary.save()
    request(venue_setup, org_tree.branch_b, made_days_ago=3)
    (reminder,) = bookings_waiting(TODAY)
    assert reminder.recipients == [staff_user]


def test_a_recurring_booking_is_one_reminder(venue_setup, org_tree):
    series = BookingSeries.objects.create(
        room=venue_setup.oath,
        organization=org_tree.branch_b,
        rule="weekly",
        first_start=at(TODAY + datetime.timedelta(days=1), 9),
        count=3,
        purpose="合唱排练",
    )
    for week in range(3):
        request(
            venue_setup, org_tree.branch_b, made_days_ago=2, starts_in=1 + 7 * week, series=series
        )
    (reminder,) = bookings_waiting(TODAY)
    assert reminder.key == f"booking-waiting:series:{series.pk}"
    assert "3" in reminder.title
