"""Pages of the mediation studio (说和室): studios, rota, cases."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from alliance import selectors, services
from alliance.forms import MediationCaseForm, RotaShiftForm, StudioForm
from alliance.services import CoordinationError
from alliance.views.base import _page
from core.views import FormPageView, PortalPermissionMixin, add_service_error
from core.widgets import search_response

# --- Mediation studio ------------------------------------------------------------------------


class _StudioMixin:
    def get_object(self):
        return selectors.get_studio_for(self.request.user, self.kwargs["pk"])


class StudioListView(PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_mediationstudio"
    template_name = "alliance/community/studio_list.html"

    def get_context_data(self, **kwargs):
        studios = selectors.studios_for(self.request.user).order_by("name")
        return super().get_context_data(
            studios=studios,
            may_setup=self.request.user.has_perm("alliance.add_mediationstudio"),
            **kwargs,
        )


class StudioDetailView(_StudioMixin, PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_mediationstudio"
    template_name = "alliance/community/studio_detail.html"

    def get_context_data(self, **kwargs):
        user, studio = self.request.user, self.object
        today = timezone.localdate()
        may_view_cases = user.has_perm("alliance.view_mediationcase", studio)
        cases = None
        if may_view_cases:
            cases = _page(self.request, selectors.cases_for(user).filter(studio=studio))
        return super().get_context_data(
            studio=studio,
            rota=selectors.rota(studio, start=today - datetime.timedelta(days=7)),
            figures=selectors.studio_figures([studio], today.year),
            page_obj=cases,
            may_view_cases=may_view_cases,
            may_change=user.has_perm("alliance.change_mediationstudio", studio),
            may_setup=user.has_perm("alliance.add_mediationstudio"),
            today=today,
            **kwargs,
        )


class StudioCreateView(FormPageView):
    """Bureau staff set up a studio: its host organization is picked by search."""

    permission_required = "alliance.add_mediationstudio"

    def get_title(self) -> str:
        return _("New mediation studio")

    def get_cancel_url(self) -> str:
        return reverse("alliance:studio_list")

    def get_form(self, form_class=None):
        return StudioForm(**self.get_form_kwargs(), user=self.request.user)

    def form_valid(self, form):
        try:
            studio = services.studio_create(acting_user=self.request.user, **form.cleaned_data)
        except CoordinationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The mediation studio has been set up."))
        return redirect(studio)


class StudioEditView(_StudioMixin, FormPageView):
    permission_required = "alliance.add_mediationstudio"

    def get_title(self) -> str:
        return _("Edit the mediation studio")

    def get_subtitle(self):
        return self.object

    def get_form(self, form_class=None):
        return StudioForm(**self.get_form_kwargs(), user=self.request.user, instance=self.object)

    def form_valid(self, form):
        try:
            services.studio_update(
                studio=self.object, acting_user=self.request.user, **form.cleaned_data
            )
        except CoordinationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The changes have been saved."))
        return redirect(self.object)


class MediatorSearchView(PortalPermissionMixin, View):
    """JSON for the rota and case pickers: members the user may read with the mediation or law
    skill (core.widgets.SearchInput)."""

    permission_required = "alliance.view_mediationstudio"

    def get(self, request):
        rows = selectors.search_mediators(request.user, request.GET.get("q", ""))
        return search_response(rows, label=lambda m: f"{m.name}（{m.organization.name}）")


class _StudioFormView(_StudioMixin, FormPageView):
    """A form about a studio (a shift, a case): the studio leads the page and is the way back."""

    permission_required = "alliance.change_mediationstudio"

    def get_subtitle(self):
        return self.object

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def record(self, data) -> None:
        raise NotImplementedError

    def success_message(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.record(form.cleaned_data)
        except CoordinationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message())
        return redirect(self.object)


class RotaShiftAddView(_StudioFormView):
    form_class = RotaShiftForm

    def get_title(self) -> str:
        return _("Add a shift to the rota")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def record(self, data) -> None:
        services.rota_shift_add(studio=self.object, acting_user=self.request.user, **data)

    def success_message(self) -> str:
        return _("The shift is on the rota.")


class CaseAddView(_StudioFormView):
    form_class = MediationCaseForm

    def get_title(self) -> str:
        return _("Record a case")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "studio": self.object}

    def record(self, data) -> None:
        services.mediation_case_record(studio=self.object, acting_user=self.request.user, **data)

    def success_message(self) -> str:
        return _("The case is recorded.")


class CaseDetailView(PortalPermissionMixin, TemplateView):
    """A case's details: fetched through cases_for (404 for everybody but staff and the host
    organization's side), then the rule is asked about its studio."""

    permission_required = "alliance.view_mediationcase"
    template_name = "alliance/community/case_detail.html"

    def get_object(self):
        return selectors.get_case_for(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return self.object.studio

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.object, **kwargs)
