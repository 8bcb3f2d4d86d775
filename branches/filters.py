"""The organization list's filters, shared by the page and its Excel export."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.forms import grouped_community_choices
from branches.models import Affinity, Category, Community, District, Kind, Organization, Status
from branches.selectors import needs_attention_q, with_warnings
from core.widgets import quick_selects

YES_NO = (("yes", _("Yes")), ("no", _("No")))


def _yes_no(queryset, condition: Q, value: str):
    if value == "yes":
        return queryset.filter(condition)
    if value == "no":
        return queryset.exclude(condition)
    return queryset


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search by name"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    affinity = django_filters.ChoiceFilter(label=_("Affinity"), choices=Affinity.choices)
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.all()
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        queryset=Community.objects.select_related("district"),
        widget=forms.Select,
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    in_alliance = django_filters.ChoiceFilter(
        label=_("In the alliance"), choices=YES_NO, method="filter_in_alliance"
    )
    pilot = django_filters.ChoiceFilter(label=_("Pilot"), choices=YES_NO, method="filter_pilot")
    demonstration = django_filters.ChoiceFilter(
        label=_("Demonstration site"), choices=YES_NO, method="filter_demonstration"
    )
    directly_managed = django_filters.ChoiceFilter(
        label=_("Directly managed"), choices=YES_NO, method="filter_directly_managed"
    )
    needs_attention = django_filters.ChoiceFilter(
        label=_("Needs attention"), choices=YES_NO, method="filter_needs_attention"
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A plain select, grouped by district (optgroups), for 300+ communities; every select
        # rendered in Python (core.widgets.QuickSelect), not one template per option.
        self.form.fields["community"].widget.choices = grouped_community_choices()
        quick_selects(self.form)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def filter_in_alliance(self, queryset, name, value):
        return _yes_no(queryset, Q(in_alliance=True), value)

    def filter_pilot(self, queryset, name, value):
        return _yes_no(queryset, Q(pilot_year__isnull=False), value)

    def filter_demonstration(self, queryset, name, value):
        return _yes_no(queryset, Q(demonstration_year__isnull=False), value)

    def filter_directly_managed(self, queryset, name, value):
        return _yes_no(queryset, Q(directly_managed=True), value)

    def filter_needs_attention(self, queryset, name, value):
        if value not in ("yes", "no"):
            return queryset
        if "needs_attention" not in queryset.query.annotations:  # the page's rows: not yet
            queryset = with_warnings(queryset)
        return _yes_no(queryset, needs_attention_q(), value)
