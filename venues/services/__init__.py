"""Every write of the venues app, by sub-domain:

- `checks`: BookingError, the slot checks and the guarded save every booking write shares;
- `bookings`: one-off bookings (create, change, cancel) and moving a series' occurrences;
- `series`: recurring bookings (dates, checks, create);
- `decisions`: the venue's decision on a request (approve / reject);
- `visits`: visitors recorded after the event;
- `places`: venues, rooms, opening hours and closures.

Other code imports from `venues.services` itself; the names below are its public face.
"""

from venues.services.bookings import (
    Scope,
    booking_cancel,
    booking_create,
    booking_update,
    series_change,
)
from venues.services.checks import BookingError, conflict_message, describe_slot
from venues.services.decisions import (
    Decision,
    SeriesDecision,
    booking_approve,
    booking_decide,
    booking_reject,
    series_decide,
    series_pending_counts,
)
from venues.services.places import (
    HoursSpan,
    VenueError,
    closure_add,
    opening_hours_problems,
    opening_hours_save,
    room_save,
    venue_save,
)
from venues.services.series import (
    MAX_SERIES_DAYS,
    Occurrence,
    SeriesConflict,
    SeriesResult,
    series_check,
    series_create,
    series_dates,
)
from venues.services.visits import booking_set_visitors

__all__ = [
    "MAX_SERIES_DAYS",
    "BookingError",
    "Decision",
    "SeriesDecision",
    "HoursSpan",
    "Occurrence",
    "Scope",
    "SeriesConflict",
    "SeriesResult",
    "VenueError",
    "booking_approve",
    "booking_cancel",
    "booking_create",
    "booking_decide",
    "series_decide",
    "series_pending_counts",
    "booking_reject",
    "booking_set_visitors",
    "booking_update",
    "closure_add",
    "conflict_message",
    "describe_slot",
    "opening_hours_problems",
    "opening_hours_save",
    "room_save",
    "series_change",
    "series_check",
    "series_create",
    "series_dates",
    "venue_save",
]
