"""Yearly statistics of the venues and their Excel export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import View
from django.views.generic import TemplateView

from core.job_views import deliver_export
from core.views import PortalPermissionMixin
from venues import exports, selectors
from venues.filters import VenueFilter


class StatsMixin(PortalPermissionMixin):
    permission_required = "venues.view_stats"

    def stats(self):
        request = self.request
        year, years = exports.stats_year(request.GET, request)
        filterset = VenueFilter(request.GET or None, queryset=selectors.venues_for(request.user))
        rows = selectors.venue_stats(user=request.user, year=year, venues=filterset.qs)
        return year, years, filterset, rows


class StatsView(StatsMixin, TemplateView):
    template_name = "venues/stats.html"

    def get_context_data(self, **kwargs):
        year, years, filterset, rows = self.stats()
        totals = {
            "bookings": sum(r.bookings for r in rows),
            "shared_uses": sum(r.shared_uses for r in rows),
            "visitors": sum(r.visitors for r in rows),
        }
        return super().get_context_data(
            year=year,
            years=years,
            filter=filterset,
            rows=rows,
            totals=totals,
            shared_since_2020=selectors.shared_use_count(),
            **kwargs,
        )


class StatsExportView(StatsMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        # venues.exports.stats_export (one row per venue; a job only at a very large scale).
        return deliver_export(request, "venues.stats")
