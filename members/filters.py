"""The roster's filters: one FilterSet for the page and its Excel export."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.forms import grouped_community_choices
from branches.models import Category, Community, Organization, in_subtree
from core.widgets import SearchChoiceFilter, quick_selects
from members.models import Health, MemberCategory, MemberStatus, Skill
from members.selectors import AGE_BANDS, age_range_q

AGE_BAND_CHOICES = [
    ("under60", _("Under 60")),
    ("60-69", _("60–69")),
    ("70-79", _("70–79")),
    ("80-89", _("80–89")),
    ("90+", _("90 and over")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def directly_managed_q() -> Q:
    """Members whose relation is in a directly managed established branch (or a group under
    one) — the 首页's "members of directly managed branches" counts exactly these."""
    return Q(organization__category=Category.ESTABLISHED) & (
        Q(organization__directly_managed=True) | Q(organization__parent__directly_managed=True)
    )


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or pinyin initials"),
        method="filter_q",
        help_text=_("Part of the name, or its pinyin initials (张三丰: zsf)"),
    )
    organization = SearchChoiceFilter(
        label=_("Organization (with those below it)"),
        queryset=Organization.objects.none(),
        method="filter_organization",
        search_url="branches:search",
    )
    organization_category = django_filters.ChoiceFilter(
        label=_("Organization category (established / three-affinity)"),
        field_name="organization__category",
        choices=Category.choices,
    )
    directly_managed = django_filters.ChoiceFilter(
        label=_("In a directly managed branch"), choices=YES_NO, method="filter_directly_managed"
    )
    category = django_filters.ChoiceFilter(label=_("category"), choices=MemberCategory.choices)
    age_band = django_filters.ChoiceFilter(
        label=_("Age band"), choices=AGE_BAND_CHOICES, method="filter_age_band"
    )
    aged_70 = django_filters.BooleanFilter(
        label=_("70 and over"), method="filter_aged_70", widget=forms.CheckboxInput
    )
    community = django_filters.ModelChoiceFilter(
        label=_("registered community"),
        field_name="registered_community",
        queryset=Community.objects.all(),
    )
    registered = django_filters.ChoiceFilter(
        label=_("Registered with a community"), choices=YES_NO, method="filter_registered"
    )
    skill = django_filters.ModelChoiceFilter(
        label=_("skill"),
        field_name="skills",
        queryset=Skill.objects.all(),
        to_field_name="name",
        distinct=False,
        method="filter_skill",
    )
    health = django_filters.ChoiceFilter(label=_("health"), choices=Health.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=MemberStatus.choices)

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        organizations = Organization.objects.filter(
            kind__in=["working_committee", "joint_committee", "general_branch", "branch"]
        )
        if user is not None and getattr(user, "is_secretary", False):
            organizations = organizations.subtree(user.organization)
        self.filters["organization"].queryset = organizations.only("pk", "name", "path")
        # 300+ communities, grouped by district and read from the cache (as the organization
        # list's filter).
        self.form.fields["community"].widget.choices = grouped_community_choices()
        quick_selects(self.form)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isascii() and value.isalpha():
            # Latin letters: pinyin initials (an indexed prefix search), not the Chinese name.
            return queryset.filter(name_initials__startswith=value.lower())
        return queryset.filter(name__icontains=value)

    def filter_organization(self, queryset, name, value):
        return queryset.filter(in_subtree(value, "organization"))

    def filter_directly_managed(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(directly_managed_q())
        if value == "no":
            return queryset.exclude(directly_managed_q())
        return queryset

    def filter_age_band(self, queryset, name, value):
        for band, low, high in AGE_BANDS:
            if band == value:
                return queryset.filter(age_range_q(low, high))
        return queryset

    def filter_aged_70(self, queryset, name, value):
        return queryset.filter(age_range_q(70, None)) if value else queryset

    def filter_registered(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(registered_community__isnull=False)
        if value == "no":
            return queryset.filter(registered_community__isnull=True)
        return queryset

    def filter_skill(self, queryset, name, value):
        # A subquery rather than a join: no duplicate rows, no DISTINCT over the whole roster.
        return queryset.filter(
            pk__in=Skill.members.through.objects.filter(skill=value).values("member_id")
        )
