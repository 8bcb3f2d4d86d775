"""Filters declared once: the inspection and rectification lists, and the results across
rounds (the list and its Excel export alike)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessment.models import Grade, InspectionKind, RectificationStatus, Round, RoundState
from branches.models import Category, Organization, Status

DATE = django_filters.widgets.forms.DateInput(attrs={"type": "date"})
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _organizations(request):
    qs = Organization.objects.filter(status=Status.ACTIVE).order_by("path")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_secretary:
        qs = qs.subtree(user.organization)
    return qs


class InspectionFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization"), queryset=_organizations
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InspectionKind.choices)
    date_from = django_filters.DateFilter(
        label=_("Inspected from"), field_name="date", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("Inspected until"), field_name="date", lookup_expr="lte", widget=DATE
    )


class RectificationFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization"), field_name="inspection__organization", queryset=_organizations
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RectificationStatus.choices)
    overdue = django_filters.ChoiceFilter(
        label=pgettext_lazy("rectification", "Overdue"), choices=YES_NO, method="filter_overdue"
    )

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=RectificationStatus.OPEN, deadline__lt=timezone.localdate())
        if value == "yes":
            return queryset.filter(overdue)
        if value == "no":
            return queryset.exclude(overdue)
        return queryset


def _result_years():
    return [
        (year, year)
        for year in Round.objects.filter(state=RoundState.FINALIZED)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    ]


class ResultFilter(django_filters.FilterSet):
    """The results list and its Excel export filter alike (year, grade, organization type)."""

    year = django_filters.TypedChoiceFilter(
        label=_("Year"), field_name="round__year", choices=_result_years, coerce=int
    )
    grade = django_filters.ChoiceFilter(
        label=pgettext_lazy("assessment", "Grade"), choices=Grade.choices
    )
    category = django_filters.ChoiceFilter(
        label=_("Organization type"),
        field_name="organization__category",
        choices=Category.choices,
    )
