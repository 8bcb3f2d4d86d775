"""Every read of the venues app.

Venues, rooms and calendars are shared: every signed-in user reads them. A booking's own page
(purpose, numbers, decisions) is for bureau staff and the reading roles, the booking
organization's people and the venue's owners; for anyone else it is a 404.

`shared_use_count()` and `visitors_total()` are the figures the dashboard and the assessment
read (no user: they are aggregates with nothing personal in them).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from branches.models import Organization, in_subtree
from core.models import User
from core.permissions import organization_in_scope
from venues.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Closure,
    OpeningHours,
    Room,
    Venue,
)

READ_ALL_ROLES = ("staff", "supervisor", "viewer")


def _reads_all(user: User) -> bool:
    return bool(user.is_bureau_staff or user.is_superuser or user.role in READ_ALL_ROLES)


# --- Venues and rooms ------------------------------------------------------------------------


def venues_for(user: User) -> QuerySet[Venue]:
    return (
        Venue.objects.filter(is_active=True)
        .select_related("district", "community", "owner")
        .annotate(room_count=Count("rooms", filter=Q(rooms__is_active=True)))
    )


def get_venue_for(user: User, pk: int) -> Venue:
    try:
        return Venue.objects.select_related("district", "community", "owner").get(
            pk=pk, is_active=True
        )
    except Venue.DoesNotExist:
        raise Http404 from None


def rooms_for(user: User, venue: Venue | None = None) -> QuerySet[Room]:
    rooms = (
        Room.objects.filter(is_active=True, venue__is_active=True)
        .select_related("venue")
        .prefetch_related("facilities")
    )
    if venue is not None:
        rooms = rooms.filter(venue=venue)
    return rooms


def get_room_for(user: User, pk: int) -> Room:
    try:
        return Room.objects.select_related("venue__owner", "venue__district").get(
            pk=pk, venue__is_active=True
        )
    except Room.DoesNotExist:
        raise Http404 from None


# --- Bookings --------------------------------------------------------------------------------


def bookings_for(user: User) -> QuerySet[Booking]:
    """The bookings whose own page `user` may open."""
    bookings = Booking.objects.select_related("room__venue__owner", "organization", "series")
    if _reads_all(user):
        return bookings
    own = getattr(user, "organization", None)
    if own is None:
        return bookings.none()
    return bookings.filter(in_subtree(own, "organization") | in_subtree(own, "room__venue__owner"))


def booking_visible(user: User, booking: Booking) -> bool:
    """The same rule as bookings_for, on a loaded booking (no query)."""
    if _reads_all(user):
        return True
    return organization_in_scope(user, booking.organization) or organization_in_scope(
        user, booking.room.venue.owner
    )


def get_booking_for(user: User, pk: int) -> Booking:
    try:
        return bookings_for(user).select_related("decided_by", "created_by").get(pk=pk)
    except Booking.DoesNotExist:
        raise Http404 from None


def pending_for(user: User) -> QuerySet[Booking]:
    """The approval queue: requested bookings of the venues `user` decides on."""
    pending = Booking.objects.filter(status=BookingStatus.REQUESTED).select_related(
        "room__venue__owner", "organization", "series"
    )
    if user.is_bureau_staff:
        return pending.order_by("start")
    own = getattr(user, "organization", None)
    if not user.is_secretary or own is None:
        return pending.none()
    return pending.filter(in_subtree(own, "room__venue__owner")).order_by("start")


def upcoming_for_organization(organization: Organization, *, limit: int = 10) -> list[Booking]:
    return list(
        Booking.objects.filter(
            organization=organization, status__in=ACTIVE_STATUSES, end__gte=timezone.now()
        )
        .select_related("room__venue")
        .order_by("start")[:limit]
    )


# --- Free rooms ------------------------------------------------------------------------------


def free_rooms(
    *,
    user: User,
    date: datetime.date,
    start: datetime.time,
    end: datetime.time,
    attendees: int = 1,
    facility=None,
    district=None,
) -> QuerySet[Room]:
    """Rooms big enough, open, not closed, and with no requested-or-approved booking that
    overlaps [start, end) on `date`."""
    slot_start = timezone.make_aware(datetime.datetime.combine(date, start))
    slot_end = timezone.make_aware(datetime.datetime.combine(date, end))
    busy = Booking.objects.filter(
        room=OuterRef("pk"), status__in=ACTIVE_STATUSES, start__lt=slot_end, end__gt=slot_start
    )
    closed = Closure.objects.filter(venue=OuterRef("venue"), starts_on__lte=date, ends_on__gte=date)
    any_hours = OpeningHours.objects.filter(venue=OuterRef("venue"))
    open_then = OpeningHours.objects.filter(
        venue=OuterRef("venue"), weekday=date.weekday(), opens__lte=start, closes__gte=end
    )
    rooms = (
        rooms_for(user)
        .select_related("venue__district", "venue__community")
        .filter(capacity__gte=max(attendees, 1))
        .exclude(Exists(busy))
        .exclude(Exists(closed))
        .filter(Exists(open_then) | ~Exists(any_hours))
    )
    if facility is not None:
        rooms = rooms.filter(facilities=facility)
    if district is not None:
        rooms = rooms.filter(venue__district=district)
    return rooms.order_by("capacity", "venue__name", "name")


# --- Calendars -------------------------------------------------------------------------------


@dataclass
class CalendarDay:
    date: datetime.date
    hours: list[OpeningHours] = field(default_factory=list)
    closure: Closure | None = None
    bookings: list[Booking] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def _active_between(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
        .select_related("organization", "room__venue__owner")
        .order_by("start")
    )


def _days(venue: Venue, first: datetime.date, days: int) -> list[CalendarDay]:
    hours = list(venue.opening_hours.all())
    last = first + datetime.timedelta(days=days - 1)
    closures = list(venue.closures.filter(starts_on__lte=last, ends_on__gte=first))
    result = []
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        result.append(
            CalendarDay(
                date=day,
                hours=[h for h in hours if h.weekday == day.weekday()],
                closure=next((c for c in closures if c.starts_on <= day <= c.ends_on), None),
            )
        )
    return result


def _local_range(first: datetime.date, days: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(first + datetime.timedelta(days=days), datetime.time.min)
    )
    return start, end


def room_week(*, user: User, room: Room, monday: datetime.date) -> list[CalendarDay]:
    """Seven days from `monday`: opening hours, closure and the active bookings of each day.
    Four queries whatever the number of bookings."""
    days = _days(room.venue, monday, 7)
    start, end = _local_range(monday, 7)
    by_date = {d.date: d for d in days}
    for booking in _active_between(start, end).filter(room=room):
        day = by_date.get(timezone.localtime(booking.start).date())
        if day is not None:
            day.bookings.append(booking)
    return days


@dataclass
class RoomDay:
    room: Room
    bookings: list[Booking] = field(default_factory=list)


def venue_day(
    *, user: User, venue: Venue, date: datetime.date
) -> tuple[CalendarDay, list[RoomDay]]:
    """One day of a venue: each room with its bookings. A fixed number of queries."""
    day = _days(venue, date, 1)[0]
    rows = {room.pk: RoomDay(room=room) for room in rooms_for(user, venue).order_by("name")}
    start, end = _local_range(date, 1)
    for booking in _active_between(start, end).filter(room__venue=venue):
        if booking.room_id in rows:
            rows[booking.room_id].bookings.append(booking)
    return day, list(rows.values())


def room_feed_bookings(room: Room, *, days_back: int = 90) -> QuerySet[Booking]:
    since = timezone.now() - datetime.timedelta(days=days_back)
    return (
        Booking.objects.filter(room=room, status__in=ACTIVE_STATUSES, end__gte=since)
        .select_related("organization")
        .order_by("start")
    )


# --- Statistics ------------------------------------------------------------------------------


def _year_range(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        timezone.make_aware(datetime.datetime(year, 1, 1)),
        timezone.make_aware(datetime.datetime(year + 1, 1, 1)),
    )


def _shared_uses(year: int | None = None) -> QuerySet[Booking]:
    """Approved bookings by an organization other than the venue's owner (共用阵地)."""
    bookings = Booking.objects.filter(status=BookingStatus.APPROVED).exclude(
        organization=F("room__venue__owner")
    )
    if year is not None:
        start, end = _year_range(year)
        bookings = bookings.filter(start__gte=start, start__lt=end)
    return bookings


def shared_use_count(
    year: int | None = None, organization: Organization | None = None, *, as_owner: bool = False
) -> int:
    """How many shared uses (共用阵地): approved bookings by an organization other than the
    venue's owner, in `year` (local time) or ever. With `organization`: the shared uses made by
    that organization and its subtree, or with `as_owner=True` those its venues hosted."""
    bookings = _shared_uses(year)
    if organization is not None:
        prefix = "room__venue__owner" if as_owner else "organization"
        bookings = bookings.filter(in_subtree(organization, prefix))
    return bookings.count()


def visitors_total(year: int | None = None) -> int:
    """Visitors recorded after approved bookings (服务人次), in `year` or ever."""
    bookings = Booking.objects.filter(status=BookingStatus.APPROVED)
    if year is not None:
        start, end = _year_range(year)
        bookings = bookings.filter(start__gte=start, start__lt=end)
    return bookings.aggregate(total=Sum("visitors"))["total"] or 0


@dataclass
class VenueYear:
    venue: Venue
    year: int
    bookings: int = 0
    shared_uses: int = 0
    visitors: int = 0
    booked_hours: float = 0.0
    open_hours: float = 0.0

    @property
    def utilisation(self) -> float | None:
        """Booked room-hours over open room-hours (each room counts)."""
        return self.booked_hours / self.open_hours if self.open_hours else None


def _open_hours_in_year(venue: Venue, year: int, rooms: int) -> float:
    if not rooms:
        return 0.0
    per_weekday = defaultdict(float)
    for h in venue.opening_hours.all():  # prefetched
        opens = datetime.datetime.combine(datetime.date.min, h.opens)
        closes = datetime.datetime.combine(datetime.date.min, h.closes)
        per_weekday[h.weekday] += (closes - opens).total_seconds() / 3600
    if not per_weekday:
        return 0.0
    closed = set()
    for closure in venue.closures.all():  # prefetched
        day = max(closure.starts_on, datetime.date(year, 1, 1))
        while day <= min(closure.ends_on, datetime.date(year, 12, 31)):
            closed.add(day)
            day += datetime.timedelta(days=1)
    total = 0.0
    day = datetime.date(year, 1, 1)
    while day.year == year:
        if day not in closed:
            total += per_weekday.get(day.weekday(), 0.0)
        day += datetime.timedelta(days=1)
    return total * rooms


def venue_stats(*, user: User, year: int, venues: QuerySet[Venue] | None = None) -> list[VenueYear]:
    """Per venue in `year`: approved bookings, shared uses, visitors, utilisation.
    A fixed number of queries whatever the number of venues and bookings."""
    venues = (venues if venues is not None else venues_for(user)).prefetch_related(
        "opening_hours", "closures"
    )
    rows = {v.pk: VenueYear(venue=v, year=year) for v in venues}
    start, end = _year_range(year)
    bookings = Booking.objects.filter(
        status=BookingStatus.APPROVED, start__gte=start, start__lt=end, room__venue__in=rows.keys()
    ).values_list(
        "room__venue_id", "room__venue__owner_id", "organization_id", "start", "end", "visitors"
    )
    for venue_id, owner_id, organization_id, b_start, b_end, visitors in bookings.iterator():
        row = rows[venue_id]
        row.bookings += 1
        row.shared_uses += organization_id != owner_id
        row.visitors += visitors or 0
        row.booked_hours += (b_end - b_start).total_seconds() / 3600
    room_counts = dict(
        Room.objects.filter(venue__in=rows.keys(), is_active=True)
        .values_list("venue")
        .annotate(n=Count("pk"))
        .values_list("venue", "n")
    )
    for row in rows.values():
        row.open_hours = _open_hours_in_year(row.venue, year, room_counts.get(row.venue.pk, 0))
    return list(rows.values())


def stats_years() -> list[int]:
    first = Booking.objects.order_by("start").values_list("start", flat=True).first()
    this_year = timezone.localdate().year
    first_year = timezone.localtime(first).year if first else this_year
    return list(range(this_year, min(first_year, this_year) - 1, -1))


def organization_venue_summary(organization: Organization) -> dict:
    """For the organization page: the venues it owns and its next bookings (3 queries)."""
    return {
        "venues_owned": list(
            Venue.objects.filter(owner=organization, is_active=True).annotate(
                room_count=Count("rooms", filter=Q(rooms__is_active=True))
            )
        ),
        "upcoming_bookings": upcoming_for_organization(organization, limit=5),
    }


def rooms_prefetched_bookings(rooms: QuerySet[Room], start, end) -> QuerySet[Room]:
    return rooms.prefetch_related(
        Prefetch("bookings", queryset=_active_between(start, end), to_attr="window_bookings")
    )
