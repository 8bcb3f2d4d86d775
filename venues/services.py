"""Every write of the venues app: bookings (one-off and recurring), decisions, visitors, rooms.

No double booking: `_save_booking` takes the room's write lock on SQLite (an UPDATE on the room
row: SQLite serializes writers, so the overlap check that follows cannot race), checks for an
overlapping requested-or-approved booking and saves inside a savepoint. On PostgreSQL the
exclusion constraint `venues_booking_no_overlap` refuses what a concurrent request slipped in;
its IntegrityError becomes the same BookingError naming the booking in the way.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.errors import ServiceError
from venues.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingSeries,
    BookingStatus,
    Closure,
    OpeningHours,
    Room,
    Rule,
    Weekday,
)
from venues.permissions import can_manage_venue

MAX_SERIES_DAYS = 731  # "a series over two years long" is refused


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


def _first_overlap(
    room: Room, start: datetime.datetime, end: datetime.datetime, exclude: list[int] | None = None
) -> Booking | None:
    clashes = Booking.objects.filter(
        room=room, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
    ).select_related("organization")
    if exclude:
        clashes = clashes.exclude(pk__in=exclude)
    return clashes.order_by("start").first()


def _slot_problems(
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


def _take_room_lock(room: Room) -> None:
    """On SQLite, take the database write lock now, before the overlap check reads."""
    if connection.vendor != "sqlite":
        return
    try:
        Room.objects.filter(pk=room.pk).update(capacity=F("capacity"))
    except OperationalError as exc:  # "database is locked" after the busy timeout
        raise BookingError(
            _("The room is being booked by someone else right now. Please try again.")
        ) from exc


def _save_booking(booking: Booking, *, exclude: list[int] | None = None) -> Booking:
    """Check for an overlap and save; the database constraint is the last word on PostgreSQL."""
    _take_room_lock(booking.room)
    exclude = [*(exclude or []), *([booking.pk] if booking.pk else [])]
    if booking.status in ACTIVE_STATUSES:
        clash = _first_overlap(booking.room, booking.start, booking.end, exclude)
        if clash:
            raise BookingError(conflict_message(clash), field="start", conflict=clash)
    booking.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            booking.save()
    except IntegrityError as exc:
        clash = _first_overlap(booking.room, booking.start, booking.end, exclude)
        if clash is None:
            raise
        raise BookingError(conflict_message(clash), field="start", conflict=clash) from exc
    return booking


def _validation_to_booking_error(exc: ValidationError) -> BookingError:
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        return BookingError(" ".join(e.messages[0] for e in errors), field=name)
    return BookingError(" ".join(exc.messages))


def _raise_first(problems: list[tuple[str | None, str]]) -> None:
    if problems:
        field_name, message = problems[0]
        raise BookingError(message, field=field_name)


def _initial_status(room: Room, acting_user) -> tuple[str, datetime.datetime | None]:

    if not room.needs_approval or (acting_user and can_manage_venue(acting_user, room.venue)):
        return BookingStatus.APPROVED, timezone.now()
    return BookingStatus.REQUESTED, None


# --- One-off bookings ------------------------------------------------------------------------


@transaction.atomic
def booking_create(
    *,
    room: Room,
    organization,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendees: int,
    acting_user,
    activity_title: str = "",
) -> Booking:
    """Book `room` for `organization`. Approved at once when the room needs no approval (or the
    booker manages the venue), otherwise requested. Raises BookingError (never saves then)."""
    purpose = (purpose or activity_title or "").strip()
    if not purpose:
        raise BookingError(_("Purpose: say what the room is for."), field="purpose")
    if not room.is_active:
        raise BookingError(_("Room: this room is not in use."), field="room")
    _raise_first(
        _slot_problems(room=room, start=start, end=end, expected_attendees=expected_attendees)
    )
    status, decided_at = _initial_status(room, acting_user)
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
        return _save_booking(booking)
    except ValidationError as exc:
        raise _validation_to_booking_error(exc) from exc


@transaction.atomic
def booking_update(
    *,
    booking: Booking,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendees: int,
    acting_user,
) -> Booking:
    """Change one booking (one occurrence of a series too: it stays in the series)."""
    if not booking.is_active:
        raise BookingError(_("Only a requested or approved booking can be changed."))
    if not purpose.strip():
        raise BookingError(_("Purpose: say what the room is for."), field="purpose")
    _raise_first(
        _slot_problems(
            room=booking.room, start=start, end=end, expected_attendees=expected_attendees
        )
    )
    moved = (start, end) != (booking.start, booking.end)
    booking.start, booking.end = start, end
    booking.purpose = purpose.strip()[:200]
    booking.expected_attendees = expected_attendees
    if moved and booking.room.needs_approval:
        booking.status, booking.decided_at = _initial_status(booking.room, acting_user)
        booking.decided_by = acting_user if booking.decided_at else None
    try:
        return _save_booking(booking)
    except ValidationError as exc:
        raise _validation_to_booking_error(exc) from exc


def _decide(booking: Booking, status: str, acting_user, note: str = "") -> Booking:
    booking.status = status
    booking.decided_by = acting_user
    booking.decided_at = timezone.now()
    booking.decision_note = note[:200]
    booking.full_clean()
    booking.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return booking


@transaction.atomic
def booking_approve(*, booking: Booking, acting_user) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.REQUESTED:
        raise BookingError(_("Only a requested booking can be approved."))
    return _decide(booking, BookingStatus.APPROVED, acting_user)


@transaction.atomic
def booking_reject(*, booking: Booking, acting_user, reason: str = "") -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.REQUESTED:
        raise BookingError(_("Only a requested booking can be rejected."))
    if not reason.strip():
        raise BookingError(_("Reason: say why the booking is rejected."), field="reason")
    return _decide(booking, BookingStatus.REJECTED, acting_user, reason.strip())


class Scope:
    ONE = "one"
    FOLLOWING = "following"
    ALL = "all"


def _scoped(booking: Booking, scope: str):
    """The active bookings `scope` covers: this one, this and the following ones, the series."""
    if scope == Scope.ONE or booking.series_id is None:
        return Booking.objects.filter(pk=booking.pk)
    bookings = Booking.objects.filter(series_id=booking.series_id, status__in=ACTIVE_STATUSES)
    if scope == Scope.FOLLOWING:
        bookings = bookings.filter(start__gte=booking.start)
    return bookings


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user, scope: str = Scope.ONE) -> int:
    """Cancel one booking, this and the following occurrences, or the whole series (what is
    still ahead; past occurrences keep their record). Returns how many were cancelled."""
    if not booking.is_active:
        raise BookingError(_("This booking is already rejected or cancelled."))
    bookings = _scoped(booking, scope).filter(status__in=ACTIVE_STATUSES)
    if scope == Scope.ALL:
        bookings = bookings.filter(Q(start__gte=timezone.now()) | Q(pk=booking.pk))
    # Saved with history rows (who cancelled, when), not a bare UPDATE.
    now = timezone.now()
    rows = list(bookings.select_for_update())
    for row in rows:
        row.status = BookingStatus.CANCELLED
        row.decided_by = acting_user
        row.decided_at = now
    bulk_update_with_history(
        rows,
        Booking,
        ["status", "decided_by", "decided_at"],
        batch_size=500,
        default_user=acting_user,
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
    acting_user,
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
        problems = _slot_problems(
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
    _take_room_lock(room)
    for _item, new_start, new_end in moved:
        clash = _first_overlap(room, new_start, new_end, ids)
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
            _save_booking(item, exclude=ids)
        except ValidationError as exc:
            raise _validation_to_booking_error(exc) from exc
    return len(moved)


@transaction.atomic
def booking_set_visitors(*, booking: Booking, visitors: int, acting_user) -> Booking:
    """After the event: how many people actually came (服务人次)."""
    if booking.status != BookingStatus.APPROVED:
        raise BookingError(_("Visitors can only be recorded for an approved booking."))
    if booking.start > timezone.now():
        raise BookingError(_("Visitors: the event has not started yet."), field="visitors")
    if visitors < 0:
        raise BookingError(_("Visitors: the number cannot be negative."), field="visitors")
    booking.visitors = visitors
    booking.full_clean()
    booking.save(update_fields=["visitors"])
    return booking


# --- Recurring bookings ----------------------------------------------------------------------


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
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if end <= start:
        raise BookingError(_("End: the end must be after the start."), field="end")
    duration = end - start
    dates = series_dates(local_start.date(), rule, until=until, count=count)
    occurrences = []
    for day in dates:
        occ_start = timezone.make_aware(datetime.datetime.combine(day, local_start.time()))
        occurrences.append(Occurrence(start=occ_start, end=occ_start + duration))
    del local_end
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
            for _field, message in _slot_problems(
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
    organization,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendees: int,
    rule: str,
    acting_user,
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
    series.save()
    status, decided_at = _initial_status(room, acting_user)
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
            bookings.append(_save_booking(booking))
        except ValidationError as exc:
            raise _validation_to_booking_error(exc) from exc
    return SeriesResult(series=series, bookings=bookings, occurrences=occurrences)


# --- Rooms and closures ----------------------------------------------------------------------


@transaction.atomic
def room_save(*, room: Room, facilities=None, acting_user) -> Room:
    room.full_clean()
    room.save()
    if facilities is not None:
        room.facilities.set(facilities)
    return room


@transaction.atomic
def closure_add(
    *, venue, starts_on: datetime.date, ends_on: datetime.date, reason: str, acting_user
) -> Closure:
    closure = Closure(venue=venue, starts_on=starts_on, ends_on=ends_on, reason=reason.strip())
    closure.full_clean()
    closure.save()
    return closure


# --- Venues and their opening hours ----------------------------------------------------------


class VenueError(BookingError):
    """A venue or its opening hours cannot be saved (same family as BookingError)."""


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
def opening_hours_save(*, venue, spans: list[HoursSpan], acting_user) -> list[OpeningHours]:
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
def venue_save(*, venue, acting_user, opening_hours: list[HoursSpan] | None = None):
    """Create or change a venue and, if given, its opening hours, in one transaction.
    The change is recorded in the venue's history (who and when, by the request middleware)."""
    try:
        venue.full_clean()
    except ValidationError as exc:
        raise _validation_to_booking_error(exc) from exc
    venue.save()
    if opening_hours is not None:
        opening_hours_save(venue=venue, spans=opening_hours, acting_user=acting_user)
    return venue
