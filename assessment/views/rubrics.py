"""Rubric pages: the list, one rubric, its download, copying last year's and uploading one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from assessment import exports, selectors, services
from assessment.forms import RubricCopyForm, RubricUploadForm
from assessment.metrics import REGISTRY
from assessment.views.base import FormPageView, RoleFirstMixin, paginate
from core.views import PortalPermissionMixin, add_service_error, service_error_message


class RubricListView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_rubric"
    template_name = "assessment/rubric_list.html"

    def get_context_data(self, **kwargs):
        rubrics = selectors.rubrics_for(self.request.user)
        kwargs["page_obj"] = paginate(self.request, rubrics)
        return super().get_context_data(**kwargs)


class RubricMixin(RoleFirstMixin):
    """A page about one rubric, fetched through the user's rubrics (404 when not visible)."""

    def get_object(self):
        return selectors.get_rubric_for(self.request.user, self.kwargs["pk"])


class RubricDetailView(RubricMixin, PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_rubric"
    template_name = "assessment/rubric_detail.html"

    def get_context_data(self, **kwargs):
        rubric = self.object
        kwargs.update(
            rubric=rubric,
            sections=rubric.sections.prefetch_related("items__deductions"),
            problems=services.rubric_problems(rubric),
            metrics=REGISTRY,
        )
        return super().get_context_data(**kwargs)


class RubricDownloadView(RubricMixin, PortalPermissionMixin, View):
    permission_required = "assessment.view_rubric"

    def get(self, request, *args, **kwargs):
        return exports.rubric_download(self.object, user=request.user)


class RubricCopyView(FormPageView):
    permission_required = "assessment.change_rubric"
    form_class = RubricCopyForm
    title = gettext_lazy("Copy last year's rubric")
    submit_label = gettext_lazy("Copy")

    def get_cancel_url(self) -> str:
        return reverse("assessment:rubric_list")

    def get_initial(self):
        year = timezone.localdate().year
        return {"from_year": year - 1, "to_year": year}

    def form_valid(self, form):
        try:
            copies = services.rubric_copy(
                from_year=form.cleaned_data["from_year"],
                to_year=form.cleaned_data["to_year"],
                category=form.cleaned_data["category"] or None,
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(count)s rubric(s) copied.") % {"count": len(copies)})
        return redirect(copies[0])


class RubricUploadView(FormPageView):
    permission_required = "assessment.change_rubric"
    form_class = RubricUploadForm
    title = gettext_lazy("Upload a rubric")
    submit_label = gettext_lazy("Upload")

    def get_cancel_url(self) -> str:
        return reverse("assessment:rubric_list")

    def get_initial(self):
        return {"year": timezone.localdate().year + 1}

    def form_valid(self, form):
        try:
            rubric = services.rubric_import(
                file=form.cleaned_data["file"],
                year=form.cleaned_data["year"],
                category=form.cleaned_data["category"],
                replace=form.cleaned_data["replace"],
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            # A refused workbook is about the file, whatever part of it was wrong.
            form.add_error("file", service_error_message(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("The rubric was uploaded and is valid."))
        return redirect(rubric)
