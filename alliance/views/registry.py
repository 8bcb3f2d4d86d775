"""The alliance registry and the annual targets."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from alliance import selectors, services
from alliance.forms import (
    AllianceJoinForm,
    AllianceLeaveForm,
    AnnualTargetForm,
)
from alliance.models import AllianceMembership, AnnualTarget, Hub
from branches.forms import add_service_errors

# --- The alliance registry and annual targets ---


class RegistryView(PermissionRequiredMixin, TemplateView):
    permission_required = "alliance.view_alliancemembership"
    template_name = "alliance/alliance_registry.html"

    def get_context_data(self, **kwargs):
        memberships = selectors.alliance_memberships_for(self.request.user)
        hub = self.request.GET.get("hub", "")
        show = self.request.GET.get("show", "active")
        if hub in Hub.values:
            memberships = memberships.filter(hub=hub)
        if show != "all":
            memberships = memberships.filter(left_on__isnull=True)
        page_obj = Paginator(memberships, 50).get_page(self.request.GET.get("page"))
        active = AllianceMembership.objects.filter(left_on__isnull=True)
        counts = dict(active.order_by().values_list("hub").annotate(n=Count("pk")))
        hub_counts = [(label, counts.get(value, 0)) for value, label in Hub.choices]
        return super().get_context_data(
            page_obj=page_obj,
            memberships=page_obj.object_list,
            hubs=Hub.choices,
            hub=hub,
            show=show,
            active_total=active.count(),
            hub_counts=hub_counts,
            **kwargs,
        )


class RegistryJoinView(PermissionRequiredMixin, FormView):
    permission_required = "alliance.change_alliancemembership"
    template_name = "alliance/alliance_form.html"
    form_class = AllianceJoinForm

    def form_valid(self, form):
        try:
            services.alliance_join(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization has joined the alliance."))
        return redirect("alliance:registry")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("An organization joins the alliance"),
            cancel_url=reverse("alliance:registry"),
            **kwargs,
        )


class RegistryLeaveView(PermissionRequiredMixin, FormView):
    permission_required = "alliance.change_alliancemembership"
    template_name = "alliance/alliance_form.html"
    form_class = AllianceLeaveForm

    def get_initial(self):
        return {"left_on": timezone.localdate()}

    @cached_property
    def membership(self):
        return get_object_or_404(
            AllianceMembership.objects.select_related("organization"), pk=self.kwargs["pk"]
        )

    def form_valid(self, form):
        try:
            services.alliance_leave(
                membership=self.membership,
                acting_user=self.request.user,
                left_on=form.cleaned_data["left_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization has left the alliance."))
        return redirect("alliance:registry")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("%(name)s leaves the alliance") % {"name": self.membership.organization},
            cancel_url=reverse("alliance:registry"),
            **kwargs,
        )


@dataclass
class TargetProgress:
    target: AnnualTarget
    organizations: int
    organizations_share: float | None
    coverage_rate: float | None
    participation_rate: float | None


def _share(actual, target) -> float | None:
    if not target:
        return None
    return min(float(actual) / float(target), 1.0)


class TargetsView(PermissionRequiredMixin, TemplateView):
    permission_required = "alliance.view_annualtarget"
    template_name = "alliance/alliance_targets.html"

    def get_context_data(self, **kwargs):
        rows = []
        for target in selectors.annual_targets_for(self.request.user):
            figures = selectors.alliance_figures(target.year)
            rows.append(
                TargetProgress(
                    target=target,
                    organizations=figures.organizations,
                    organizations_share=_share(figures.organizations, target.organizations_target),
                    coverage_rate=figures.coverage_rate,
                    participation_rate=figures.participation_rate,
                )
            )
        return super().get_context_data(rows=rows, **kwargs)


class TargetEditView(PermissionRequiredMixin, FormView):
    permission_required = "alliance.change_annualtarget"
    template_name = "alliance/alliance_form.html"
    form_class = AnnualTargetForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        year = self.kwargs.get("year")
        if year:
            kwargs["instance"] = get_object_or_404(AnnualTarget, year=year)
        return kwargs

    def get_initial(self):
        if self.kwargs.get("year"):
            return {}
        year = timezone.localdate().year + 1
        last = AnnualTarget.objects.filter(year=year - 1).first()
        if last is None:
            return {"year": year}
        # The usual target: double last year's number of alliance organizations.
        return {
            "year": year,
            "organizations_target": last.organizations_target * 2,
            "coverage_rate_target": last.coverage_rate_target,
            "participation_rate_target": last.participation_rate_target,
        }

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        year = data.pop("year")
        if not self.kwargs.get("year") and AnnualTarget.objects.filter(year=year).exists():
            form.add_error("year", _("Targets for this year exist already; edit them instead."))
            return self.form_invalid(form)
        try:
            services.annual_target_save(acting_user=self.request.user, year=year, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The targets have been saved."))
        return redirect("alliance:targets")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Annual targets"), cancel_url=reverse("alliance:targets"), **kwargs
        )
