"""Reminders of the venues: bookings waiting 2 days or more for approval, to those who decide
on them (venues.approve_booking: the secretaries of the venue's owner or of an organization
above it; bureau staff when the owner has no secretary account) — registered into
core.reminders from VenuesConfig.ready."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.selectors import secretaries_of
from core.reminders import Reminder, bureau_staff, local_midnight, register, waiting_since_q
from venues.models import Booking, BookingStatus

BOOKING_WAITING = "booking-waiting"
WAITING_DAYS = 2


def bookings_waiting(today: datetime.date) -> list[Reminder]:
    """Requested bookings, not yet begun, made `WAITING_DAYS` days or more before `today`; the
    occurrences of a recurring booking make one reminder (3 queries at most)."""
    bookings = list(
        Booking.objects.filter(
            waiting_since_q("created_at", today, WAITING_DAYS),
            status=BookingStatus.REQUESTED,
            start__gte=local_midnight(today),
        )
        .select_related("room__venue__owner", "organization")
        .order_by("start", "pk")
    )
    if not bookings:
        return []
    groups: dict[tuple[str, int], list[Booking]] = {}
    for booking in bookings:
        group = ("series", booking.series_id) if booking.series_id else ("booking", booking.pk)
        groups.setdefault(group, []).append(booking)
    deciders = secretaries_of(
        {b.room.venue.owner_id: b.room.venue.owner for b in bookings}.values()
    )
    staff: list | None = None
    reminders = []
    for (group, pk), occurrences in groups.items():
        first = occurrences[0]
        venue = first.room.venue
        recipients = deciders.get(venue.owner_id) or []
        if not recipients:
            staff = bureau_staff() if staff is None else staff
            recipients = staff
        start = timezone.localtime(first.start)
        values = {
            "purpose": first.purpose,
            "organization": first.organization,
            "venue": venue,
            "room": first.room.name,
            "start": f"{start:%Y-%m-%d %H:%M}",
            "n": len(occurrences),
        }
        if group == "series":
            title = (
                _(
                    "Booking awaiting approval: %(organization)s, %(venue)s %(room)s from "
                    "%(start)s (%(n)s occurrences)"
                )
                % values
            )
        else:
            title = (
                _("Booking awaiting approval: %(organization)s, %(venue)s %(room)s on %(start)s")
                % values
            )
        reminders.append(
            Reminder(
                recipients=recipients,
                kind=BOOKING_WAITING,
                key=f"{BOOKING_WAITING}:{group}:{pk}",
                title=title,
                body=_("Purpose: %(purpose)s. Requested on %(day)s; approve or reject it.")
                % {**values, "day": timezone.localdate(first.created_at).isoformat()},
                url=reverse("venues:booking", args=[first.pk]),
            )
        )
    return reminders


def register_reminders() -> None:
    register(
        BOOKING_WAITING,
        gettext_lazy("Bookings awaiting approval for 2 days or more"),
        bookings_waiting,
    )
