"""Filters declared once, used by the list pages and by their Excel exports."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from branches.models import District
from venues.models import BookingStatus, Venue

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class BookingFilter(django_filters.FilterSet):
    venue = django_filters.ModelChoiceFilter(
        label=_("Venue"), field_name="room__venue", queryset=Venue.objects.filter(is_active=True)
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BookingStatus.choices)
    organization = django_filters.CharFilter(
        label=_("Booking organization"), field_name="organization__name", lookup_expr="icontains"
    )
    date_from = django_filters.DateFilter(
        label=_("Booked from"),
        field_name="start",
        lookup_expr="date__gte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Booked until"),
        field_name="start",
        lookup_expr="date__lte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    shared = django_filters.ChoiceFilter(
        label=_("Shared use"), choices=YES_NO, method="filter_shared"
    )

    def filter_shared(self, queryset, name, value):
        other = ~Q(organization=F("room__venue__owner"))
        if value == "yes":
            return queryset.filter(other)
        if value == "no":
            return queryset.filter(organization=F("room__venue__owner"))
        return queryset


class VenueFilter(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.all()
    )
    name = django_filters.CharFilter(label=_("Name"), lookup_expr="icontains")
    demonstration = django_filters.ChoiceFilter(
        label=_("Demonstration site"), choices=YES_NO, method="filter_demonstration"
    )

    class Meta:
        model = Venue
        fields = ["district", "name"]

    def filter_demonstration(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(demonstration_year__isnull=False)
        if value == "no":
            return queryset.filter(demonstration_year__isnull=True)
        return queryset
