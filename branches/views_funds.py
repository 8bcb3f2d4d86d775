"""Pages of the funds ledger (经费保障): an organization's ledger and year summary, entering
allocations and spending, reversing an entry, the budget, the receipt download, the bureau's
overview and the exports (经费台账)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from branches import funds, selectors
from branches.forms_funds import AllocationForm, BudgetForm, ExpenseForm, ReverseForm
from core.job_views import deliver_export
from core.params import year_param
from core.uploads import open_stored
from core.views import FormPageView, PortalPermissionMixin, add_service_error

PAGE_SIZE = 30


class _OrganizationFundsMixin:
    """The organization through the scoped selector: another organization's is a 404."""

    def get_object(self):
        return selectors.get_organization_for(self.request.user, self.kwargs["pk"])

    def ledger_url(self) -> str:
        return reverse("branches:funds", args=[self.object.pk])


class LedgerView(_OrganizationFundsMixin, PortalPermissionMixin, TemplateView):
    permission_required = "branches.view_funds"
    template_name = "branches/funds/ledger.html"

    def get_context_data(self, **kwargs):
        organization, year = self.object, year_param(self.request.GET)
        entries = funds.entries_of(organization, year=year)
        page = Paginator(entries, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            organization=organization,
            year=year,
            years=range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            summary=funds.year_summary(organization, year),
            page_obj=page,
            may_change=self.request.user.has_perm("branches.change_funds", organization),
            **kwargs,
        )


class _FundsFormView(_OrganizationFundsMixin, FormPageView):
    permission_required = "branches.change_funds"

    def get_subtitle(self):
        return self.object

    def get_cancel_url(self) -> str:
        return self.ledger_url()

    def record(self, data) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.record(form.cleaned_data)
        except funds.FundsError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.ledger_url())


class AllocationCreateView(_FundsFormView):
    form_class = AllocationForm
    success_message = _("The allocation is in the ledger.")

    def get_title(self) -> str:
        return _("Record an allocation received")

    def record(self, data) -> None:
        funds.allocation_record(organization=self.object, acting_user=self.request.user, **data)


class ExpenseCreateView(_FundsFormView):
    form_class = ExpenseForm
    success_message = _("The spending is in the ledger.")

    def get_title(self) -> str:
        return _("Record spending")

    def record(self, data) -> None:
        funds.expense_record(organization=self.object, acting_user=self.request.user, **data)


class EntryReverseView(_FundsFormView):
    form_class = ReverseForm
    success_message = _("The entry is reversed: a correcting entry is in the ledger.")
    submit_label = _("Reverse the entry")

    def get_title(self) -> str:
        entry = funds.get_entry_for(self.request.user, self.object, self.kwargs["entry"])
        return _("Correct an entry: %(entry)s") % {"entry": entry}

    def record(self, data) -> None:
        entry = funds.get_entry_for(self.request.user, self.object, self.kwargs["entry"])
        funds.entry_reverse(entry=entry, acting_user=self.request.user, reason=data["reason"])


class BudgetView(_FundsFormView):
    form_class = BudgetForm
    success_message = _("The budget is saved.")

    def get_title(self) -> str:
        return _("Budget for %(year)s") % {"year": year_param(self.request.GET)}

    def get_initial(self):
        budget = self.object.fund_budgets.filter(year=year_param(self.request.GET)).first()
        return {"amount": budget.amount} if budget else {}

    def record(self, data) -> None:
        funds.budget_set(
            organization=self.object,
            acting_user=self.request.user,
            year=year_param(self.request.GET),
            amount=data["amount"],
        )


class ReceiptDownloadView(_OrganizationFundsMixin, PortalPermissionMixin, View):
    permission_required = "branches.view_funds"

    def get(self, request, pk, entry):
        entry = funds.get_entry_for(request.user, self.object, entry)
        if not entry.receipt:
            raise Http404
        return FileResponse(
            open_stored(entry.receipt, what=f"fund entry {entry.pk} receipt"),
            content_type=entry.receipt_type,
            as_attachment=not entry.receipt_type.startswith("image/"),
            filename=entry.receipt_name,
        )


class LedgerExportView(_OrganizationFundsMixin, PortalPermissionMixin, View):
    permission_required = "branches.view_funds"

    def get(self, request, pk):
        query = request.GET.copy()
        query["organization"] = str(self.object.pk)
        return deliver_export(request, "branches.fund_ledger", query=query)


class OverviewView(PortalPermissionMixin, TemplateView):
    """The bureau's overview across organizations (a secretary sees their own subtree)."""

    permission_required = "branches.view_funds_overview"
    template_name = "branches/funds/overview.html"

    def get_context_data(self, **kwargs):
        year = year_param(self.request.GET)
        rows = funds.funds_overview_for(self.request.user, year)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            year=year,
            years=range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            page_obj=page,
            totals=funds.overview_totals(self.request.user, year),
            **kwargs,
        )


class OverviewExportView(PortalPermissionMixin, View):
    permission_required = "branches.export_funds"

    def get(self, request):
        query = request.GET.copy()
        query.pop("organization", None)
        return deliver_export(request, "branches.fund_ledger", query=query)
