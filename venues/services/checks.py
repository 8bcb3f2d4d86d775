"""What every booking write shares: the error, the slot checks and the guarded save.

No double booking: `save_booking` takes the room's write lock on SQLite (an UPDATE on the room
row: SQLite serializes writers, so the overlap check that follows cannot race), checks for an
overlapping requested-or-approved booking and saves inside a savepoint. On PostgreSQL the
exclusion constraint `venues_booking_no_overlap` refuses what a concurrent request slipped in;
its IntegrityError becomes the same BookingError naming the booking in the way.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.history import save_with_action
from core.models import User
from venues.models import ACTIVE_STATUSES, Booking, BookingStatus, Closure, OpeningHours, Room
from venues.permissions import can_manage_venue


class BookingError(ServiceError):
    """A booking cannot be made or changed; the message is for the user (Chinese).

    `field` names the form field at fault (None: the whole form); `conflict` is the booking
    in the way, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, conflict: Booking | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.conflict = conflict


# --- Describing a booking ------------------------------------------------------------------


def describe_slot(start: datetime.datetime, end: datetime.datetime) -> str:
    """11月28日 09:00–11:00 (in local time)."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    return _("%(month)d/%(day)d %(start)s–%(end)s") % {
        "month": start.month,
        "day": start.day,
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


def conflict_message(clash: Booking) -> str:
    return _("Conflicts with “%(purpose)s” (%(organization)s, %(slot)s).") % {
        "purpose": clash.purpose,
        "organization": clash.organization.name,
        "slot": describe_slot(clash.start, clash.end),
    }


# --- Checks ----------------------------------------------------------------------------------


def first_overlap(
    room: Room, start: datetime.datetime, end: datetime.datetime, exclude: list[int] | None = None
) -> Booking | None:
    clashes = Booking.objects.filter(
        room=room, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
    ).select_related("organization")
    if exclude:
        clashes = clashes.exclude(pk__in=exclude)
    return clashes.order_by("start").first()


def slot_problems(
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    expected_attendees: int,
    hours: list[OpeningHours] | None = None,
    closures: list[Closure] | None = None,
    now: datetime.datetime | None = None,
) -> list[tuple[str | None, str]]:
    """(field, message) for every reason this slot cannot be booked, overlaps aside."""
    problems: list[tuple[str | None, str]] = []
    if end <= start:
        return [("end", _("End: the end must be after the start."))]
    now = now or timezone.now()
    if start < now:
        problems.append(("start", _("Start: this time is in the past.")))
    if expected_attendees > room.capacity:
        problems.append(
            (
                "expected_attendees",
                _("Expected attendees: %(count)d is more than the room holds (%(capacity)d).")
                % {"count": expected_attendees, "capacity": room.capacity},
            )
        )
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    day = local_start.date()
    if closures is None:
        closures = list(
            room.venue.closures.filter(starts_on__lte=local_end.date(), ends_on__gte=day)
        )
    for closure in closures:
        if closure.starts_on <= local_end.date() and closure.ends_on >= day:
            problems.append(
                ("start", _("Date: the venue is closed (%(reason)s).") % {"reason": closure.reason})
            )
            break
    if hours is None:
        hours = list(room.venue.opening_hours.all())
    if hours:
        fits = local_end.date() == day and any(
            h.weekday == day.weekday()
            and h.opens <= local_start.time()
            and local_end.time() <= h.closes
            and local_end.time() != datetime.time(0)
            for h in hours
        )
        if not fits:
            spans = "、".join(
                f"{h.opens:%H:%M}–{h.closes:%H:%M}" for h in hours if h.weekday == day.weekday()
            )
            if spans:
                message = _("Time: outside opening hours (open %(spans)s that day).") % {
                    "spans": spans
                }
            else:
                message = _("Date: the venue is not open on that weekday.")
            problems.append(("start", message))
    return problems


def take_room_lock(room: Room) -> None:
    """On SQLite, take the database write lock now, before the overlap check reads.

    The UPDATE sets the capacity to itself: it changes nothing, so it writes no history row
    (it is a lock, not a change of the room) and does not go through core.history."""
    if connection.vendor != "sqlite":
        return
    try:
        Room.objects.filter(pk=room.pk).update(capacity=F("capacity"))
    except OperationalError as exc:  # "database is locked" after the busy timeout
        raise BookingError(
            _("The room is being booked by someone else right now. Please try again.")
        ) from exc


def save_tracked(instance, action: str, acting_user: User, **save_kwargs) -> None:
    """Save a history-tracked object, its history row naming `action` and `acting_user`."""
    instance._history_user = acting_user
    save_with_action(instance, action, **save_kwargs)


def save_booking(
    booking: Booking, *, action: str, acting_user: User, exclude: list[int] | None = None
) -> Booking:
    """Check for an overlap and save; the database constraint is the last word on PostgreSQL."""
    take_room_lock(booking.room)
    exclude = [*(exclude or []), *([booking.pk] if booking.pk else [])]
    if booking.status in ACTIVE_STATUSES:
        clash = first_overlap(booking.room, booking.start, booking.end, exclude)
        if clash:
            raise BookingError(conflict_message(clash), field="start", conflict=clash)
    booking.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            save_tracked(booking, action, acting_user)
    except IntegrityError as exc:
        clash = first_overlap(booking.room, booking.start, booking.end, exclude)
        if clash is None:
            raise
        raise BookingError(conflict_message(clash), field="start", conflict=clash) from exc
    return booking


def validation_to_booking_error(exc: ValidationError) -> BookingError:
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        return BookingError(" ".join(e.messages[0] for e in errors), field=name)
    return BookingError(" ".join(exc.messages))


def raise_first(problems: list[tuple[str | None, str]]) -> None:
    if problems:
        field_name, message = problems[0]
        raise BookingError(message, field=field_name)


def initial_status(room: Room, acting_user: User) -> tuple[str, datetime.datetime | None]:
    """Approved at once when the room needs no approval or the booker manages the venue."""
    if not room.needs_approval or can_manage_venue(acting_user, room.venue):
        return BookingStatus.APPROVED, timezone.now()
    return BookingStatus.REQUESTED, None
