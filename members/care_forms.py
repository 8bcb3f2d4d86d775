"""Forms of care (走访慰问) and dues (党费)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Community
from members.forms import DATE
from members.models import CareFlagKind, CareVisit, CommendationLevel, DuesMode, VisitKind


class VisitForm(forms.ModelForm):
    class Meta:
        model = CareVisit
        fields = [
            "kind",
            "visitors",
            "visited_on",
            "gifts",
            "gift_value",
            "needs",
            "follow_up",
            "follow_up_due",
        ]
        widgets = {"visited_on": DATE, "follow_up_due": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = VisitKind.choices
        self.fields["visited_on"].initial = timezone.localdate()


class CareFlagForm(forms.Form):
    kind = forms.ChoiceField(label=_("care flag"), choices=CareFlagKind.choices)
    since = forms.DateField(label=_("since"), widget=DATE)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class CareFilterForm(forms.Form):
    month = forms.CharField(
        label=_("month"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    community = forms.ModelChoiceField(
        label=_("community"), queryset=Community.objects.all(), required=False
    )


class DuesBaseForm(forms.Form):
    year = forms.IntegerField(label=_("year"))
    monthly_base = forms.DecimalField(
        label=_("monthly basic pension (yuan)"), max_digits=10, decimal_places=2, min_value=0
    )
    mode = forms.ChoiceField(label=_("dues"), choices=DuesMode.choices)
    flat_amount = forms.DecimalField(
        label=_("flat monthly amount (yuan)"), required=False, max_digits=10, decimal_places=2
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
    approved_by = forms.CharField(label=_("approved by"), max_length=100, required=False)


class DuesPaymentForm(forms.Form):
    first_month = forms.DateField(
        label=_("first month paid for"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    months = forms.IntegerField(label=_("months paid for"), min_value=1, max_value=24, initial=1)
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=10, decimal_places=2)
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)
    collected_by = forms.CharField(label=_("collected by"), max_length=50)
    receipt_number = forms.CharField(label=_("receipt number"), max_length=30)


class RebaseForm(forms.Form):
    from_year = forms.IntegerField(label=_("from the bases of the year"))
    percent = forms.DecimalField(
        label=_("pension rise (%)"), max_digits=5, decimal_places=2, initial=0
    )


class OrganizationCommendationForm(forms.Form):
    title = forms.CharField(
        label=_("Commendation"),
        max_length=100,
        help_text=_("e.g. 先进基层党组织, 示范党支部"),
    )
    year = forms.IntegerField(label=_("year"), min_value=1921)
    awarded_by = forms.CharField(label=_("awarded by"), max_length=100)
    level = forms.ChoiceField(
        label=_("level"), choices=CommendationLevel.choices, widget=forms.RadioSelect
    )
