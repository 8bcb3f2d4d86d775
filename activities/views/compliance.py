"""Pages of compliance: the board (held vs required), one organization's year and the
required frequencies."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import modelformset_factory
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from activities import selectors, services
from activities.forms import ComplianceFilterForm, RequiredFrequencyForm
from activities.models import ActivityType, RequiredFrequency
from activities.services import ActivityError
from activities.views.common import year_and_as_of
from branches.models import in_subtree
from core.paginators import CountCachedPaginator
from core.views import PortalPermissionMixin, service_error_message

OVERDUE_PER_PAGE = 50


class Cell(NamedTuple):
    """One board cell: held and required in the periods begun (by name in the template: a
    tuple's cell.0 costs Django's lookup a failed attribute and a dir() each time)."""

    held: int
    required: int

    @property
    def met(self) -> bool:
        return self.held >= self.required


def _cells(summary, types) -> list[Cell | None]:
    return [Cell(*summary.cells[t]) if t in summary.cells else None for t in types]


class ComplianceBoardView(PortalPermissionMixin, TemplateView):
    """Held vs required per organization (a page at a time) and the overdue list."""

    permission_required = "activities.view_compliance"
    template_name = "activities/compliance_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year, as_of = year_and_as_of(self.request)
        form = ComplianceFilterForm(self.request.GET or None, user=user, initial={"year": year})
        chosen = form.cleaned_data.get("organization") if form.is_valid() else None
        organizations = selectors._compliance_organizations(user)
        if chosen is not None:
            organizations = organizations.filter(in_subtree(chosen))
        # The total is cached until an organization or a requirement changes.
        page = CountCachedPaginator(organizations, 25, generation=selectors.OVERDUE).get_page(
            self.request.GET.get("page")
        )
        types, summaries = selectors.compliance_board(
            list(page.object_list), year=year, as_of=as_of
        )
        labels = dict(ActivityType.choices)
        overdue = [
            item
            for item in selectors.overdue_compliance(user, as_of)
            if item.period_last.year == year
        ]
        if chosen is not None:
            overdue = [i for i in overdue if i.organization.path.startswith(chosen.path)]
        overdue_page = Paginator(overdue, OVERDUE_PER_PAGE).get_page(
            self.request.GET.get("overdue_page")
        )
        context.update(
            form=form,
            year=year,
            as_of=as_of,
            page_obj=page,
            types=[(t, labels[t]) for t in types],
            rows=[(summary, _cells(summary, types)) for summary in summaries],
            overdue=overdue_page.object_list,
            overdue_page=overdue_page,
            overdue_total=len(overdue),
            overdue_organizations=len({i.organization.pk for i in overdue}),
        )
        return context


class OrganizationComplianceView(PortalPermissionMixin, TemplateView):
    permission_required = "activities.view_compliance"
    template_name = "activities/compliance_organization.html"

    def get_object(self):
        return selectors.get_organization_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        year, as_of = year_and_as_of(self.request)
        rows = selectors.compliance(organization=organization, year=year)
        grouped = defaultdict(list)
        for row in rows:
            grouped[(row.activity_type, row.type_label)].append(row)
        context.update(
            organization=organization,
            year=year,
            as_of=as_of,
            grouped=sorted(grouped.items()),
            rate=selectors.participation_rate(
                organization=organization,
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
            ),
        )
        return context


class RequiredFrequencyView(PortalPermissionMixin, View):
    permission_required = "activities.change_requiredfrequency"
    template_name = "activities/required_frequencies.html"
    FormSet = modelformset_factory(
        RequiredFrequency, form=RequiredFrequencyForm, extra=1, can_delete=True
    )

    def get(self, request):
        return render(request, self.template_name, {"formset": self.FormSet()})

    def post(self, request):
        formset = self.FormSet(request.POST)
        if formset.is_valid():
            try:
                self._save(formset)
            except ActivityError as exc:
                messages.error(request, service_error_message(exc))
            else:
                messages.success(request, _("The required frequencies were saved."))
                return redirect("activities:requirements")
        return render(request, self.template_name, {"formset": formset})

    @transaction.atomic
    def _save(self, formset) -> None:
        """The whole table or nothing: a refused row leaves every row as it was."""
        for form in formset.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if form.cleaned_data.get("DELETE") and form.instance.pk:
                services.required_frequency_delete(
                    item=form.instance, acting_user=self.request.user
                )
                continue
            if form.cleaned_data:
                services.required_frequency_save(
                    item=form.instance if form.instance.pk else None,
                    acting_user=self.request.user,
                    **{
                        k: form.cleaned_data[k]
                        for k in ("organization_kind", "activity_type", "period", "times")
                    },
                )
