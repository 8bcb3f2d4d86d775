"""Inspection pages: the list, recording one, one inspection with its rectifications, the
rectification list and marking one done."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from assessment import selectors, services
from assessment.filters import InspectionFilter, RectificationFilter
from assessment.forms import InspectionForm, RectificationDoneForm, RectificationForm
from assessment.views.base import FormPageView, RoleFirstMixin, paginate
from core.views import PortalPermissionMixin, add_service_error, service_error_message


class InspectionListView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_inspection"
    template_name = "assessment/inspection_list.html"

    def get_context_data(self, **kwargs):
        filterset = InspectionFilter(
            self.request.GET or None,
            queryset=selectors.inspections_for(self.request.user),
            request=self.request,
        )
        kwargs.update(
            filter=filterset,
            page_obj=paginate(self.request, filterset.qs),
            today=timezone.localdate(),
        )
        return super().get_context_data(**kwargs)


class InspectionCreateView(FormPageView):
    permission_required = "assessment.change_inspection"
    form_class = InspectionForm
    title = gettext_lazy("Record an inspection")

    def get_cancel_url(self) -> str:
        return reverse("assessment:inspection_list")

    def form_valid(self, form):
        data = form.cleaned_data
        specs = []
        if data.get("required"):
            specs.append(services.RectificationSpec(data["required"], data["deadline"]))
        try:
            inspection = services.inspection_record(
                kind=data["kind"],
                date=data["date"],
                organization=data["organization"],
                inspectors=data["inspectors"],
                findings=data["findings"],
                rectifications=specs,
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The inspection was recorded."))
        return redirect(inspection)


class InspectionDetailView(RoleFirstMixin, PortalPermissionMixin, FormView):
    """One inspection; the form below it adds a rectification (inspectors only)."""

    permission_required = "assessment.view_inspection"
    template_name = "assessment/inspection_detail.html"
    form_class = RectificationForm

    def get_object(self):
        return selectors.get_inspection_for(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("assessment.change_inspection", self.object):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.rectification_add(
                inspection=self.object,
                required=form.cleaned_data["required"],
                deadline=form.cleaned_data["deadline"],
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            form.add_error("deadline", service_error_message(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("The rectification was added."))
        return redirect(self.object)

    def get_context_data(self, **kwargs):
        kwargs.update(inspection=self.object, done_form=RectificationDoneForm())
        return super().get_context_data(**kwargs)


class RectificationListView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_inspection"
    template_name = "assessment/rectification_list.html"

    def get_context_data(self, **kwargs):
        filterset = RectificationFilter(
            self.request.GET or None,
            queryset=selectors.rectifications_for(self.request.user).order_by("deadline", "pk"),
            request=self.request,
        )
        kwargs.update(filter=filterset, page_obj=paginate(self.request, filterset.qs))
        return super().get_context_data(**kwargs)


class RectificationDoneView(PortalPermissionMixin, View):
    permission_required = "assessment.change_inspection"
    http_method_names = ["post"]

    def get_object(self):
        return selectors.get_rectification_for(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        rectification = self.object
        form = RectificationDoneForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        else:
            try:
                services.rectification_mark_done(
                    rectification=rectification,
                    done_on=form.cleaned_data["done_on"],
                    acting_user=request.user,
                )
            except services.AssessmentError as exc:
                messages.error(request, service_error_message(exc))
            else:
                messages.success(request, _("The rectification is marked as done."))
        return redirect(rectification.inspection)
