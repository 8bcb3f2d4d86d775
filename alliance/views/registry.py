"""The alliance registry and the annual targets."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from alliance import selectors, services
from alliance.forms import (
    AllianceJoinForm,
    AllianceLeaveForm,
    AnnualTargetForm,
)
from alliance.models import AllianceMembership, AnnualTarget, Hub
from core.views import FormPageView, PortalPermissionMixin, add_service_error

# --- The alliance registry and annual targets ---


class RegistryView(PortalPermissionMixin, TemplateView):
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


class RegistryJoinView(FormPageView):
    permission_required = "alliance.change_alliancemembership"
    form_class = AllianceJoinForm

    def form_valid(self, form):
        try:
            services.alliance_join(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization has joined the alliance."))
        return redirect("alliance:registry")

    def get_title(self) -> str:
        return _("An organization joins the alliance")

    def get_cancel_url(self) -> str:
        return reverse("alliance:registry")


class RegistryLeaveView(FormPageView):
    permission_required = "alliance.change_alliancemembership"
    form_class = AllianceLeaveForm

    def get_initial(self):
        return {"left_on": timezone.localdate()}

    def get_object(self):
        return selectors.get_alliance_membership_for(self.request.user, self.kwargs["pk"])

    def form_valid(self, form):
        try:
            services.alliance_leave(
                membership=self.object,
                acting_user=self.request.user,
                left_on=form.cleaned_data["left_on"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization has left the alliance."))
        return redirect("alliance:registry")

    def get_title(self) -> str:
        return _("%(name)s leaves the alliance") % {"name": self.object.organization}

    def get_cancel_url(self) -> str:
        return reverse("alliance:registry")


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


class TargetsView(PortalPermissionMixin, TemplateView):
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


class TargetEditView(FormPageView):
    permission_required = "alliance.change_annualtarget"
    form_class = AnnualTargetForm

    def get_object(self):
        year = self.kwargs.get("year")
        if not year:
            return None
        return selectors.get_annual_target_for(self.request.user, year)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

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
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The targets have been saved."))
        return redirect("alliance:targets")

    def get_title(self) -> str:
        return _("Annual targets")

    def get_cancel_url(self) -> str:
        return reverse("alliance:targets")
