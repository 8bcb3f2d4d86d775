"""Round pages: list, create, scope, assign, the state changes, results, the grade thresholds,
and the results across rounds with their Excel export."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from assessment import exports, selectors, services
from assessment.filters import ResultFilter
from assessment.forms import AssignForm, ReasonForm, RoundForm, RoundScopeForm, ThresholdsForm
from assessment.models import Grade, GradeThresholds, RoundState
from assessment.views.base import FormPageView, RoleFirstMixin, paginate
from core.job_views import deliver_export
from core.views import PortalPermissionMixin, add_service_error, service_error_message


class RoundMixin(RoleFirstMixin):
    """A page about one round, fetched through the user's rounds (404 when not visible)."""

    def get_object(self):
        return selectors.get_round_for(self.request.user, self.kwargs["pk"])


class RoundListView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_round"
    template_name = "assessment/round_list.html"

    def get_context_data(self, **kwargs):
        rounds = selectors.rounds_for(self.request.user)
        kwargs["page_obj"] = paginate(self.request, rounds)
        return super().get_context_data(**kwargs)


class RoundCreateView(FormPageView):
    permission_required = "assessment.change_round"
    form_class = RoundForm
    title = gettext_lazy("New assessment round")
    submit_label = gettext_lazy("Create")

    def get_cancel_url(self) -> str:
        return reverse("assessment:round_list")

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                year=data["year"],
                title=data["title"],
                rubrics=data["rubrics"],
                self_assessment_due=data["self_assessment_due"],
                scoring_due=data["scoring_due"],
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The round was created. Now choose its organizations."))
        return redirect("assessment:round_scope", round_.pk)


class RoundDetailView(RoundMixin, PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_round"
    template_name = "assessment/round_detail.html"

    def get_context_data(self, **kwargs):
        round_ = self.object
        page_obj = paginate(self.request, selectors.round_assessments(round_))
        supervisors = selectors.supervisors_by_organization(round_)
        for assessment in page_obj:
            assessment.supervisor_list = supervisors.get(assessment.organization_id, [])
        scope = []
        if round_.state == RoundState.DRAFT:
            scope = [
                (org, supervisors.get(org.pk, []))
                for org in round_.organizations.order_by("category", "path")
            ]
        kwargs.update(
            round=round_,
            page_obj=page_obj,
            scope=scope,
            events=round_.events.select_related("by"),
            rubrics=round_.rubrics.all(),
            reopen_form=ReasonForm(),
        )
        return super().get_context_data(**kwargs)


class RoundScopeView(RoundMixin, FormPageView):
    permission_required = "assessment.change_round"
    form_class = RoundScopeForm
    title = gettext_lazy("Organizations in scope")

    def get_subtitle(self):
        return self.object.title

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "round": self.object}

    def form_valid(self, form):
        try:
            services.round_set_scope(
                round=self.object,
                organizations=form.cleaned_data["organizations"],
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The organizations in scope were saved."))
        return redirect("assessment:round_assign", self.object.pk)


class RoundAssignView(RoundMixin, FormPageView):
    permission_required = "assessment.change_round"
    form_class = AssignForm
    title = gettext_lazy("Assign supervisors")
    submit_label = gettext_lazy("Assign")

    def get_subtitle(self):
        return self.object.title

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "round": self.object}

    def form_valid(self, form):
        try:
            services.round_assign(
                round=self.object,
                organizations=form.cleaned_data["organizations"],
                supervisors=form.cleaned_data["supervisors"],
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The supervisors were assigned."))
        return redirect(self.object)


TRANSITIONS = {
    "open_self_assessment": services.round_open_self_assessment,
    "open_scoring": services.round_open_scoring,
    "finalize": services.round_finalize,
}


class RoundTransitionView(RoundMixin, PortalPermissionMixin, View):
    permission_required = "assessment.change_round"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        round_ = self.object
        action = TRANSITIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("Unknown action."))
            return redirect(round_)
        try:
            round_ = action(round=round_, acting_user=request.user)
        except services.AssessmentError as exc:
            messages.error(request, service_error_message(exc))
        else:
            messages.success(
                request, _("The round is now: %(state)s.") % {"state": round_.get_state_display()}
            )
        return redirect(round_)


class RoundReopenView(RoundMixin, PortalPermissionMixin, View):
    permission_required = "assessment.change_round"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        round_ = self.object
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason for reopening the round."))
            return redirect(round_)
        try:
            services.round_reopen(
                round=round_, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except services.AssessmentError as exc:
            messages.error(request, service_error_message(exc))
        else:
            messages.success(
                request, _("The round was reopened for scoring; the reason is recorded.")
            )
        return redirect(round_)


class RoundResultsView(RoundMixin, PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_results"
    template_name = "assessment/round_results.html"

    def get_context_data(self, **kwargs):
        round_ = self.object
        assessments = list(
            round_.assessments.select_related("organization").order_by(
                "organization__category", "rank", "organization__path"
            )
        )
        supervisors = selectors.supervisors_by_organization(round_)
        groups: dict[str, list] = {}
        for assessment in assessments:
            assessment.supervisor_list = supervisors.get(assessment.organization_id, [])
            groups.setdefault(assessment.organization.get_category_display(), []).append(assessment)
        counts = Counter(a.grade for a in assessments if a.grade)
        total = sum(counts.values())
        distribution = [
            (value, label, counts.get(value, 0), (counts.get(value, 0) / total) if total else None)
            for value, label in Grade.choices
        ]
        kwargs.update(round=round_, groups=groups, distribution=distribution)
        return super().get_context_data(**kwargs)


class RoundSheetView(RoundMixin, PortalPermissionMixin, View):
    permission_required = "assessment.view_results"

    def get(self, request, *args, **kwargs):
        # assessment.exports.score_sheet_export: one row per organization of the round.
        return deliver_export(
            request, "assessment.score_sheet", query=QueryDict(f"round={self.object.pk}")
        )


class ThresholdsView(FormPageView):
    permission_required = "assessment.change_gradethresholds"
    form_class = ThresholdsForm
    title = gettext_lazy("Grade thresholds")

    def get_cancel_url(self) -> str:
        return reverse("assessment:index")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": GradeThresholds.current()}

    def form_valid(self, form):
        try:
            services.grade_thresholds_set(
                excellent=form.cleaned_data["excellent"],
                good=form.cleaned_data["good"],
                pass_mark=form.cleaned_data["pass_mark"],
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The grade thresholds were saved; new rubrics start with them as their grade "
                "bands (each rubric grades by its own bands)."
            ),
        )
        return redirect("assessment:index")


# --- Results across rounds (the 首页's grade figures link here) -----------------------------


class ResultsMixin(PortalPermissionMixin):
    """Final results (totals, grades and ranks of finalized rounds) of the rounds the user may
    read — the same readers as a round's results page."""

    permission_required = "assessment.view_results"

    def get_filterset(self) -> ResultFilter:
        return exports.results_filterset(self.request.user, self.request.GET)


class ResultsView(ResultsMixin, TemplateView):
    template_name = "assessment/results.html"

    def get_context_data(self, **kwargs):
        filterset = self.get_filterset()
        queryset = exports.filtered_results(filterset)
        year = filterset.form.cleaned_data.get("year") if filterset.is_bound else None
        kwargs.update(
            filter=filterset,
            page_obj=paginate(self.request, queryset),
            year=year,
            distribution=selectors.grade_distribution(year) if year else None,
            export_query=self.request.GET.urlencode(),
        )
        return super().get_context_data(**kwargs)


class ResultsExportView(ResultsMixin, View):
    def get(self, request, *args, **kwargs):
        # assessment.exports.results_export: a job when the results run to many rows.
        return deliver_export(request, "assessment.results")
