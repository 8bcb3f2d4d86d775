"""One-off bookings: create, change, cancel (one, the following ones or a whole series) and
move the occurrences of a series to a new time of day."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from core.history import bulk_update_with_action
from core.models import User
from venues.models import ACTIVE_STATUSES, Booking, BookingStatus, Room
from venues.services.checks import (
    BookingError,
    conflict_message,
    first_overlap,
    initial_status,
    raise_first,
    save_booking,
    slot_problems,
    take_room_lock,
    validation_to_booking_error,
)


@transaction.atomic
def booking_create(
    *,
    room: Room,
    organization: Organization,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendees: int,
    acting_user: User,
    activity_title: str = "",
) -> Booking:
    """Book `room` for `organization`. Approved at once when the room needs no approval (or the
    booker manages the venue), otherwise requested. Raises BookingError (never saves then)."""
    purpose = (purpose or activity_title or "").strip()
    if not purpose:
        raise BookingError(_("Purpose: say what the room is for."), field="purpose")
    if not room.is_active:
        raise BookingError(_("Room: this room is not in use."), field="room")
    raise_first(
        slot_problems(room=room, start=start, end=end, expected_attendees=expected_attendees)
    )
    status, decided_at = initial_status(room, acting_user)
    booking = Booking(
        room=room,
        organization=organization,
        purpose=purpose[:200],
        start=start,
        end=end,
        expected_attendees=expected_attendees,
        status=status,
        decided_at=decided_at,
        decided_by=acting_user if decided_at and room.needs_approval else None,
        created_by=acting_user,
    )
    try:
        return save_booking(booking, action="venues.booking.create", acting_user=acting_user)
    except ValidationError as exc:
        raise validation_to_booking_error(exc) from exc


@transaction.atomic
def booking_update(
    *,
    booking: Booking,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendees: int,
    acting_user: User,
) -> Booking:
    """Change one booking (one occurrence of a series too: it stays in the series)."""
    if not booking.is_active:
        raise BookingError(_("Only a requested or approved booking can be changed."))
    if not purpose.strip():
        raise BookingError(_("Purpose: say what the room is for."), field="purpose")
    raise_first(
        slot_problems(
            room=booking.room, start=start, end=end, expected_attendees=expected_attendees
        )
    )
    moved = (start, end) != (booking.start, booking.end)
    booking.start, booking.end = start, end
    booking.purpose = purpose.strip()[:200]
    booking.expected_attendees = expected_attendees
    if moved and booking.room.needs_approval:
        booking.status, booking.decided_at = initial_status(booking.room, acting_user)
        booking.decided_by = acting_user if booking.decided_at else None
    try:
        return save_booking(booking, action="venues.booking.update", acting_user=acting_user)
    except ValidationError as exc:
        raise validation_to_booking_error(exc) from exc


class Scope:
    ONE = "one"
    FOLLOWING = "following"
    ALL = "all"


def _scoped(booking: Booking, scope: str) -> QuerySet[Booking]:
    """The active bookings `scope` covers: this one, this and the following ones, the series."""
    if scope == Scope.ONE or booking.series_id is None:
        return Booking.objects.filter(pk=booking.pk)
    bookings = Booking.objects.filter(series_id=booking.series_id, status__in=ACTIVE_STATUSES)
    if scope == Scope.FOLLOWING:
        bookings = bookings.filter(start__gte=booking.start)
    return bookings


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user: User, scope: str = Scope.ONE) -> int:
    """Cancel one booking, this and the following occurrences, or the whole series (what is
    still ahead; past occurrences keep their record). Returns how many were cancelled."""
    if not booking.is_active:
        raise BookingError(_("This booking is already rejected or cancelled."))
    bookings = _scoped(booking, scope).filter(status__in=ACTIVE_STATUSES)
    if scope == Scope.ALL:
        bookings = bookings.filter(Q(start__gte=timezone.now()) | Q(pk=booking.pk))
    # Saved with history rows (who cancelled, when, which action), not a bare UPDATE.
    now = timezone.now()
    rows = list(bookings.select_for_update())
    for row in rows:
        row.status = BookingStatus.CANCELLED
        row.decided_by = acting_user
        row.decided_at = now
        row._history_user = acting_user
    bulk_update_with_action(
        Booking, rows, ["status", "decided_by", "decided_at"], "venues.booking.cancel"
    )
    return len(rows)


@transaction.atomic
def series_change(
    *,
    booking: Booking,
    scope: str,
    start_time: datetime.time,
    end_time: datetime.time,
    purpose: str,
    expected_attendees: int,
    acting_user: User,
) -> int:
    """Move the occurrences `scope` covers to a new time of day (each keeps its date). Every
    one is checked; if any cannot be moved, nothing changes. Returns how many changed."""
    targets = list(_scoped(booking, scope).select_related("room__venue").order_by("start"))
    if not targets:
        raise BookingError(_("There is nothing left to change in this series."))
    ids = [b.pk for b in targets]
    room = targets[0].room
    hours = list(room.venue.opening_hours.all())
    closures = list(room.venue.closures.all())
    failures = []
    moved = []
    for item in targets:
        day = timezone.localtime(item.start).date()
        new_start = timezone.make_aware(datetime.datetime.combine(day, start_time))
        new_end = timezone.make_aware(datetime.datetime.combine(day, end_time))
        problems = slot_problems(
            room=room,
            start=new_start,
            end=new_end,
            expected_attendees=expected_attendees,
            hours=hours,
            closures=closures,
        )
        if problems:
            failures.append(f"{day:%Y-%m-%d}：{problems[0][1]}")
        moved.append((item, new_start, new_end))
    if failures:
        raise BookingError(_("Not changed: ") + "；".join(failures))
    take_room_lock(room)
    for _item, new_start, new_end in moved:
        clash = first_overlap(room, new_start, new_end, ids)
        if clash:
            raise BookingError(
                f"{timezone.localtime(new_start):%Y-%m-%d}：{conflict_message(clash)}",
                conflict=clash,
            )
    for item, new_start, new_end in moved:
        item.start, item.end = new_start, new_end
        item.purpose = purpose.strip()[:200] or item.purpose
        item.expected_attendees = expected_attendees
        try:
            save_booking(
                item, action="venues.booking.series_change", acting_user=acting_user, exclude=ids
            )
        except ValidationError as exc:
            raise validation_to_booking_error(exc) from exc
    return len(moved)
