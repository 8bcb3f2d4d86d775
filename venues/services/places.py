"""Venues, their rooms, weekly opening hours and closures (the venue's own configuration)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import User
from venues.models import Closure, Facility, OpeningHours, Room, Venue, Weekday
from venues.services.checks import BookingError, save_tracked, validation_to_booking_error


class VenueError(BookingError):
    """A venue or its opening hours cannot be saved (same family as BookingError)."""


# --- Rooms and closures ----------------------------------------------------------------------


@transaction.atomic
def room_save(*, room: Room, facilities: list[Facility] | None = None, acting_user: User) -> Room:
    same_name = Room.objects.filter(venue_id=room.venue_id, name=room.name).exclude(pk=room.pk)
    if room.venue_id and same_name.exists():
        raise ValidationError({"name": _("This venue already has a room of that name.")})
    room.full_clean()
    save_tracked(room, "venues.room.change" if room.pk else "venues.room.add", acting_user)
    if facilities is not None:
        room.facilities.set(facilities)
    return room


@transaction.atomic
def closure_add(
    *,
    venue: Venue,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    acting_user: User,
) -> Closure:
    closure = Closure(venue=venue, starts_on=starts_on, ends_on=ends_on, reason=reason.strip())
    closure.full_clean()
    closure.save()  # not history-tracked
    return closure


# --- Venues and their opening hours ----------------------------------------------------------


@dataclass
class HoursSpan:
    weekday: int
    opens: datetime.time
    closes: datetime.time


def opening_hours_problems(spans: list[HoursSpan]) -> list[str]:
    """Chinese messages for spans that close before they open or overlap on one weekday."""

    problems = []
    by_day: dict[int, list[HoursSpan]] = {}
    for span in spans:
        day = str(Weekday(span.weekday).label)
        if span.closes <= span.opens:
            problems.append(
                _("%(day)s: closing time %(closes)s must be after opening time %(opens)s.")
                % {"day": day, "opens": f"{span.opens:%H:%M}", "closes": f"{span.closes:%H:%M}"}
            )
            continue
        by_day.setdefault(span.weekday, []).append(span)
    for weekday, day_spans in sorted(by_day.items()):
        day_spans.sort(key=lambda s: s.opens)
        for earlier, later in zip(day_spans, day_spans[1:], strict=False):
            if later.opens < earlier.closes:  # half-open: 12:00 close, 12:00 open is fine
                problems.append(
                    _("%(day)s: opening hours %(first)s and %(second)s overlap.")
                    % {
                        "day": str(Weekday(weekday).label),
                        "first": f"{earlier.opens:%H:%M}–{earlier.closes:%H:%M}",
                        "second": f"{later.opens:%H:%M}–{later.closes:%H:%M}",
                    }
                )
    return problems


@transaction.atomic
def opening_hours_save(
    *, venue: Venue, spans: list[HoursSpan], acting_user: User
) -> list[OpeningHours]:
    """Replace the venue's weekly opening hours (configuration, not history: rows are replaced).
    Bookings already made stay; new ones are checked against the new hours."""
    problems = opening_hours_problems(spans)
    if problems:
        raise VenueError(" ".join(problems), field="opening_hours")
    venue.opening_hours.all().delete()
    rows = [
        OpeningHours(venue=venue, weekday=s.weekday, opens=s.opens, closes=s.closes)
        for s in sorted(spans, key=lambda s: (s.weekday, s.opens))
    ]
    for row in rows:
        row.full_clean()
        row.save()
    return rows


@transaction.atomic
def venue_save(
    *, venue: Venue, acting_user: User, opening_hours: list[HoursSpan] | None = None
) -> Venue:
    """Create or change a venue and, if given, its opening hours, in one transaction.
    The change is recorded in the venue's history ("venues.venue.add" or ".change")."""
    try:
        venue.full_clean()
    except ValidationError as exc:
        raise validation_to_booking_error(exc) from exc
    save_tracked(venue, "venues.venue.change" if venue.pk else "venues.venue.add", acting_user)
    if opening_hours is not None:
        opening_hours_save(venue=venue, spans=opening_hours, acting_user=acting_user)
    return venue
