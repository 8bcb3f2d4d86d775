"""Excel exports of bookings and of the yearly venue statistics, exactly as filtered."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.xlsx import Sheet, xlsx_response


def bookings_xlsx(request, bookings):
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
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        f"bookings-{stamp}.xlsx",
        sheet,
        user=request.user,
        export="venues.bookings",
        query=request.GET,
    )


def stats_xlsx(request, year: int, rows):
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
    return xlsx_response(
        f"venue-stats-{year}.xlsx",
        sheet,
        user=request.user,
        export="venues.stats",
        query=request.GET,
    )
