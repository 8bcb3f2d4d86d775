"""One FilterSet for the activity list, the calendar and their Excel exports."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityStatus, ActivityType
from activities.selectors import hosted_in_subtree, organizations_for
from branches.models import Brand, Organization
from core.widgets import SearchChoiceFilter, quick_selects


class ActivityFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(label=_("Type"), choices=ActivityType.choices)
    brand = django_filters.ChoiceFilter(label=_("Brand"), choices=Brand.choices)
    organization = SearchChoiceFilter(
        label=_("Organization (with its sub-organizations)"),
        queryset=Organization.objects.none(),
        method="filter_organization",
        search_url="branches:search",
    )
    joint = django_filters.BooleanFilter(
        label=_("Joint activities only"),
        method="filter_joint",
        widget=forms.CheckboxInput,
    )
    year = django_filters.NumberFilter(
        label=_("Year of activities"),
        field_name="start",
        lookup_expr="year",
        min_value=2000,
        max_value=2100,
    )
    date_from = django_filters.DateFilter(
        label=_("From date"),
        field_name="start",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To date"),
        field_name="start",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ActivityStatus.choices)

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user if request is not None else None
        self.filters["organization"].queryset = organizations_for(user)
        quick_selects(self.form)

    def filter_organization(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(hosted_in_subtree(value))

    def filter_joint(self, queryset, name, value):
        return queryset.filter(is_joint=True) if value else queryset
