"""Recurring bookings (a series): the dates of a rule, what stands in each date's way, and
booking the series (asking, skipping the dates in the way, or booking none)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from core.models import User
from venues.models import ACTIVE_STATUSES, Booking, BookingSeries, Room, Rule
from venues.services.checks import (
    BookingError,
    conflict_message,
    initial_status,
    save_booking,
    slot_problems,
    validation_to_booking_error,
)

MAX_SERIES_DAYS = 731  # "a series over two years long" is refused


@dataclass
class Occurrence:
    start: datetime.datetime
    end: datetime.datetime
    problems: list[str] = field(default_factory=list)

    @property
    def date(self) -> datetime.date:
        return timezone.localtime(self.start).date()


@dataclass
class SeriesResult:
    series: BookingSeries | None
    bookings: list[Booking]
    occurrences: list[Occurrence]

    @property
    def conflicts(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.problems]


class SeriesConflict(BookingError):
    """Some occurrences of a series cannot be booked; the user chooses skip or book none."""

    def __init__(self, message: str, *, occurrences: list[Occurrence]):
        super().__init__(message)
        self.occurrences = occurrences

    @property
    def conflicts(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.problems]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def series_dates(
    first: datetime.date, rule: str, *, until: datetime.date | None, count: int | None
) -> list[datetime.date]:
    """The dates of a series, first included. Refuses one that runs over two years."""
    if (until is None) == (count is None):
        raise BookingError(
            _("Repeat: give either an end date or a number of times."), field="until"
        )
    if count is not None and count < 1:
        raise BookingError(_("Number of times: at least one."), field="count")
    if until is not None and until < first:
        raise BookingError(_("Until: the last date is before the first one."), field="until")
    limit = first + datetime.timedelta(days=MAX_SERIES_DAYS)
    too_long = BookingError(
        _("Repeat: a series may run for two years at most."),
        field="until" if until is not None else "count",
    )
    if until is not None and until > limit:
        raise too_long
    dates = []
    index = 0
    while True:
        if rule == Rule.MONTHLY:
            day = _add_months(first, index)
        else:
            day = first + datetime.timedelta(days=index * (14 if rule == Rule.BIWEEKLY else 7))
        if until is not None and day > until:
            break
        if count is not None and len(dates) >= count:
            break
        if day > limit:
            raise too_long
        dates.append(day)
        index += 1
    return dates


def series_check(
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    expected_attendees: int,
    rule: str,
    until: datetime.date | None = None,
    count: int | None = None,
) -> list[Occurrence]:
    """Every occurrence with what stands in its way: closure, opening hours, capacity, the
    past, another booking. Bounded queries: one for the hours, one for closures, one for
    the bookings across the whole span."""
    local_start = timezone.localtime(start)
    if end <= start:
        raise BookingError(_("End: the end must be after the start."), field="end")
    duration = end - start
    dates = series_dates(local_start.date(), rule, until=until, count=count)
    occurrences = []
    for day in dates:
        occ_start = timezone.make_aware(datetime.datetime.combine(day, local_start.time()))
        occurrences.append(Occurrence(start=occ_start, end=occ_start + duration))
    hours = list(room.venue.opening_hours.all())
    closures = list(room.venue.closures.filter(starts_on__lte=dates[-1], ends_on__gte=dates[0]))
    existing = list(
        Booking.objects.filter(
            room=room,
            status__in=ACTIVE_STATUSES,
            start__lt=occurrences[-1].end,
            end__gt=occurrences[0].start,
        )
        .select_related("organization")
        .order_by("start")
    )
    now = timezone.now()
    for occ in occurrences:
        occ.problems = [
            message
            for _field, message in slot_problems(
                room=room,
                start=occ.start,
                end=occ.end,
                expected_attendees=expected_attendees,
                hours=hours,
                closures=closures,
                now=now,
            )
        ]
        for other in existing:
            if other.start < occ.end and other.end > occ.start:
                occ.problems.append(conflict_message(other))
                break
    return occurrences


@transaction.atomic
def series_create(
    *,
    room: Room,
    organization: Organization,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendees: int,
    rule: str,
    acting_user: User,
    until: datetime.date | None = None,
    count: int | None = None,
    on_conflict: str = "ask",
) -> SeriesResult:
    """A recurring booking. With conflicts, `on_conflict` decides: "ask" raises SeriesConflict
    (nothing saved, the form shows the dates), "skip" books the other dates, "none" books
    nothing and returns the conflicts."""
    if on_conflict not in ("ask", "skip", "none"):
        raise ValueError(on_conflict)
    purpose = (purpose or "").strip()
    if not purpose:
        raise BookingError(_("Purpose: say what the room is for."), field="purpose")
    if rule not in Rule.values:
        raise BookingError(_("Repeat: choose how often."), field="rule")
    occurrences = series_check(
        room=room,
        start=start,
        end=end,
        expected_attendees=expected_attendees,
        rule=rule,
        until=until,
        count=count,
    )
    conflicts = [o for o in occurrences if o.problems]
    if conflicts and on_conflict == "ask":
        raise SeriesConflict(
            _("%(count)d of %(total)d dates cannot be booked.")
            % {"count": len(conflicts), "total": len(occurrences)},
            occurrences=occurrences,
        )
    if conflicts and on_conflict == "none":
        return SeriesResult(series=None, bookings=[], occurrences=occurrences)
    free = [o for o in occurrences if not o.problems]
    if not free:
        raise BookingError(_("None of the dates can be booked."))
    series = BookingSeries(
        room=room,
        organization=organization,
        rule=rule,
        first_start=start,
        until=until,
        count=count,
        purpose=purpose[:200],
        created_by=acting_user,
    )
    series.full_clean()
    series.save()  # not history-tracked: its bookings are
    status, decided_at = initial_status(room, acting_user)
    bookings = []
    for occ in free:
        booking = Booking(
            room=room,
            organization=organization,
            purpose=purpose[:200],
            start=occ.start,
            end=occ.end,
            expected_attendees=expected_attendees,
            status=status,
            decided_at=decided_at,
            decided_by=acting_user if decided_at and room.needs_approval else None,
            series=series,
            created_by=acting_user,
        )
        try:
            bookings.append(
                save_booking(
                    booking, action="venues.booking.create_in_series", acting_user=acting_user
                )
            )
        except ValidationError as exc:
            raise validation_to_booking_error(exc) from exc
    return SeriesResult(series=series, bookings=bookings, occurrences=occurrences)
