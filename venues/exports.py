"""Excel exports of bookings and of the yearly venue statistics, exactly as filtered;
registered with core.exports (a large one is written by the job worker)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.exports import PreparedExport, register_export
from core.params import year_param
from core.xlsx import Sheet, download_name
from venues import selectors
from venues.filters import BookingFilter, VenueFilter


def stats_year(query: QueryDict, request=None) -> tuple[int, list[int]]:
    """The year the statistics are asked for (`?year=`, else the latest) and every year."""
    years = selectors.stats_years()
    return year_param(query, latest=years[0], default=years[0], request=request), years


def bookings_sheet(bookings) -> Sheet:
    def rows():
        for b in bookings.iterator(chunk_size=2000):
            yield [
                b.room.venue.name,
                b.room.name,
                b.organization.name,
                b.purpose,
                b.start,
                b.end,
                b.expected_attendees,
                b.get_status_display(),
                _("Yes") if b.organization_id != b.room.venue.owner_id else _("No"),
                b.visitors,
            ]

    sheet = Sheet(
        title=_("Room bookings"),
        headers=[
            _("Venue"),
            _("Room"),
            _("Booking organization"),
            _("Purpose"),
            _("Start"),
            _("End"),
            _("Expected attendees"),
            _("Status"),
            _("Shared use"),
            _("Visitors"),
        ],
        rows=rows(),
        widths=[30, 20, 30, 30, 18, 18, 10, 10, 10, 10],
    )
    return sheet


@register_export("venues.bookings", title=_lazy("Room bookings"), permission="venues.view_booking")
def bookings_export(user, query: QueryDict) -> PreparedExport:
    """The bookings the user may open, filtered as the booking list."""
    filterset = BookingFilter(query or None, queryset=selectors.bookings_for(user))
    bookings = filterset.qs.order_by("-start")
    return PreparedExport(
        filename=download_name(_("Room bookings"), day=timezone.localdate()),
        sheets=lambda: [bookings_sheet(bookings)],
        rows_total=bookings.order_by().count,
        query=query,
    )


def stats_sheet(year: int, rows) -> Sheet:
    sheet = Sheet(
        title=_("Venue statistics"),
        caption=_("Shared venues, %(year)d") % {"year": year},
        headers=[
            _("Venue"),
            _("District"),
            _("Owning organization"),
            _("Demonstration site year"),
            _("Bookings"),
            _("Shared uses"),
            _("Visitors"),
            _("Booked hours"),
            _("Open hours"),
            _("Utilisation"),
        ],
        rows=(
            [
                r.venue.name,
                r.venue.district.name if r.venue.district_id else "",
                r.venue.owner.name,
                r.venue.demonstration_year,
                r.bookings,
                r.shared_uses,
                r.visitors,
                round(r.booked_hours, 1),
                round(r.open_hours, 1),
                r.utilisation,
            ]
            for r in rows
        ),
        widths=[32, 10, 30, 10, 10, 10, 10, 10, 10, 10],
        number_formats={9: "0.0%"},
    )
    return sheet


@register_export("venues.stats", title=_lazy("Venue statistics"), permission="venues.view_stats")
def stats_export(user, query: QueryDict) -> PreparedExport:
    """One row per venue (filtered as the statistics page) for the year asked."""
    year, _years = stats_year(query)
    venues = VenueFilter(query or None, queryset=selectors.venues_for(user)).qs
    return PreparedExport(
        filename=download_name(_("Venue statistics"), year=year),
        sheets=lambda: [
            stats_sheet(year, selectors.venue_stats(user=user, year=year, venues=venues))
        ],
        rows_total=venues.order_by().count,
        query=query,
    )
