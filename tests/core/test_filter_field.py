"""core_tags.filter_field writes in Python what crispy's as_crispy_field renders from its
templates: the same document for every field of the list pages' filter forms, blank, filled
and with errors (a required field and help text too)."""

from __future__ import annotations

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.test.html import parse_html

from activities.filters import ActivityFilter
from activities.forms import ComplianceFilterForm
from activities.models import Activity
from branches.filters import OrganizationFilter
from branches.models import Organization
from core.templatetags.core_tags import filter_field
from members.filters import MemberFilter
from members.models import Member

pytestmark = pytest.mark.django_db


class Sample(forms.Form):
    name = forms.CharField(label="名称 <b>", help_text="输入 <em>名称</em>")
    agreed = forms.BooleanField(label="同意", required=True)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)


def _forms(staff_user, data):
    """Fresh forms each call: crispy adds its classes to the widgets it renders."""
    request = type("Request", (), {"user": staff_user})()
    return [
        OrganizationFilter(data, queryset=Organization.objects.all()).form,
        MemberFilter(data, queryset=Member.objects.all(), user=staff_user).form,
        ActivityFilter(data, queryset=Activity.objects.all(), request=request).form,
        ComplianceFilterForm(data, user=staff_user),
        Sample(data),
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"kind": "branch", "q": "党支部", "year": "2026", "joint": "on", "name": "甲"},
        {"kind": "nonsense", "status": "x", "year": "1900", "date_from": "2026-13-45"},
    ],
)
def test_filter_field_renders_what_crispy_renders(staff_user, org_tree, data):
    ours_forms, crispy_forms = _forms(staff_user, data), _forms(staff_user, data)
    compared = 0
    for ours, theirs in zip(ours_forms, crispy_forms, strict=True):
        ours.is_bound and ours.is_valid()
        theirs.is_bound and theirs.is_valid()
        for name in ours.fields:
            assert parse_html(filter_field(ours[name])) == parse_html(
                as_crispy_field(theirs[name])
            ), name
            compared += 1
    assert compared > 30
    if data and "nonsense" in data.values():
        assert "is-invalid" in filter_field(_forms(staff_user, data)[0]["kind"])
