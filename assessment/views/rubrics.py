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

from assessment import editor, exports, selectors, services
from assessment.forms import RubricCopyForm, RubricStartForm, RubricUploadForm
from assessment.metrics import REGISTRY
from assessment.models import (
    GRADE_ORDER,
    DeductionKind,
    Grade,
    GradeBasis,
    GradeTotal,
    ItemKind,
    VetoConsequence,
)
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
            sections=rubric.sections.prefetch_related("items__deductions__item"),
            problems=services.rubric_problems(rubric),
            metrics=REGISTRY,
            bands=rubric.bands.all(),
            in_use=rubric.assessments.exists(),
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


class RubricStartView(FormPageView):
    """A new rubric from nothing: year, type, title and total; then the editor."""

    permission_required = "assessment.change_rubric"
    form_class = RubricStartForm
    title = gettext_lazy("New rubric")
    submit_label = gettext_lazy("Create and edit")

    def get_cancel_url(self) -> str:
        return reverse("assessment:rubric_list")

    def get_initial(self):
        return {"year": timezone.localdate().year, "max_total": 100}

    def form_valid(self, form):
        try:
            rubric = services.rubric_start(acting_user=self.request.user, **form.cleaned_data)
        except services.AssessmentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The rubric was created; now add its sections and items."))
        return redirect("assessment:rubric_edit", rubric.pk)


class RubricEditView(RubricMixin, PortalPermissionMixin, TemplateView):
    """The whole rubric on one page: settings, grade bands, sections, items, deduction lines."""

    permission_required = "assessment.change_rubric"
    template_name = "assessment/rubric_edit.html"

    def get(self, request, *args, **kwargs):
        settings, bands, sections = editor.rubric_rows(self.object)
        return self.render_page(settings, bands, sections)

    def post(self, request, *args, **kwargs):
        settings, bands, sections = editor.posted_rows(request.POST)
        rubric_settings, specs, errors = editor.specs_from_rows(settings, bands, sections)
        if not errors:
            try:
                problems = services.rubric_save(
                    rubric=self.object,
                    settings=rubric_settings,
                    sections=specs,
                    acting_user=request.user,
                )
            except services.AssessmentError as exc:
                errors = [service_error_message(exc)]
        if errors:
            return self.render_page(
                settings, bands, editor.with_empty_slots(sections), errors=errors, status=400
            )
        if problems:
            messages.warning(
                request,
                _("Saved. The rubric cannot be used in a round yet: %(problems)s")
                % {"problems": " ".join(problems)},
            )
        else:
            messages.success(request, _("The rubric was saved and is valid."))
        return redirect("assessment:rubric_edit", self.object.pk)

    def render_page(self, settings, bands, sections, *, errors=(), status=200):
        context = self.get_context_data(
            rubric=self.object,
            settings=settings,
            bands=[(grade, Grade(grade).label, bands.get(grade, "")) for grade in GRADE_ORDER],
            sections=sections,
            errors=errors,
            in_use=self.object.assessments.exists(),
            item_kinds=ItemKind.choices,
            line_kinds=DeductionKind.choices,
            consequences=VetoConsequence.choices,
            grades=Grade.choices,
            bases=GradeBasis.choices,
            grade_totals=GradeTotal.choices,
            metrics=REGISTRY,
        )
        return self.render_to_response(context, status=status)


class RubricPrintView(RubricMixin, PortalPermissionMixin, TemplateView):
    """The rubric as it prints: sections, items, lines, bonus, vetoes and grade bands."""

    permission_required = "assessment.view_rubric"
    template_name = "assessment/rubric_print.html"

    def get_context_data(self, **kwargs):
        rubric = self.object
        kwargs.update(
            rubric=rubric,
            sections=rubric.sections.prefetch_related("items__deductions__item"),
            bands=rubric.bands.all(),
        )
        return super().get_context_data(**kwargs)


class RubricTemplateView(PortalPermissionMixin, View):
    """The empty upload workbook, with its instructions and drop-down lists."""

    permission_required = "assessment.change_rubric"

    def get(self, request, *args, **kwargs):
        return exports.rubric_template_download(user=request.user)
