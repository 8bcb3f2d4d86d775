"""Forms of the funds ledger (经费保障)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import ExpenseCategory, FundSource

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RECEIPT_LABEL = _("Receipt (a photo or PDF, at most 10 MB)")


def _amount_field(label=None):
    return forms.DecimalField(
        label=label or _("Amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class AllocationForm(forms.Form):
    date = forms.DateField(label=_("Date received"), widget=DATE)
    amount = _amount_field()
    source = forms.ChoiceField(label=_("Received from"), choices=FundSource.choices)
    payee = forms.CharField(
        label=_("Paid by"),
        max_length=100,
        required=False,
        help_text=_("Who paid it, e.g. 市委老干部局 or the department's name."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    receipt = forms.FileField(label=RECEIPT_LABEL, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class ExpenseForm(forms.Form):
    date = forms.DateField(label=_("Date spent"), widget=DATE)
    amount = _amount_field()
    category = forms.ChoiceField(label=_("Spending category"), choices=ExpenseCategory.choices)
    payee = forms.CharField(label=_("Payee"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    receipt = forms.FileField(label=RECEIPT_LABEL, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=200,
        help_text=_("The entry stays in the ledger; a reversing entry cancels it."),
    )


class BudgetForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Budget for the year (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
