"""Scoring pages: the supervisor's and the secretary's lists, the scoring page, the
self-assessment page and the score card."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from assessment import selectors, services
from assessment.forms import PostedRows
from assessment.metrics import REGISTRY, compute
from assessment.models import Assessment, ItemKind, ItemScore, RoundState
from assessment.views.base import paginate
from core.views import PortalPermissionMixin, service_error_message


class MyAssignmentsView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_my_assignments"
    template_name = "assessment/my_assignments.html"

    def get_context_data(self, **kwargs):
        assessments = selectors.with_progress(
            selectors.assessments_for(self.request.user)
            .exclude(round__state=RoundState.DRAFT)
            .order_by("-round__year", "round__pk", "organization__path")
        )
        kwargs["page_obj"] = paginate(self.request, assessments)
        return super().get_context_data(**kwargs)


class MySelfAssessmentView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_my_self_assessment"
    template_name = "assessment/my_self_assessment.html"

    def get_context_data(self, **kwargs):
        assessments = (
            selectors.assessments_for(self.request.user)
            .exclude(round__state=RoundState.DRAFT)
            .order_by("-round__year", "organization__path")
        )
        kwargs["page_obj"] = paginate(self.request, assessments)
        return super().get_context_data(**kwargs)


def _score_rows(assessment: Assessment, *, with_evidence: bool) -> list[ItemScore]:
    rows = list(
        assessment.scores.select_related("item__section", "updated_by").prefetch_related(
            "item__deductions", "applied__rule__item"
        )
    )
    cache: dict[str, object] = {}
    for row in rows:
        applied = list(row.applied.all())
        row.applied_list = applied
        row.ticked_ids = {a.rule_id for a in applied}
        row.counts = {a.rule_id: a.count for a in applied}
        rules = {d.pk: d for d in row.item.deductions.all()}
        row.computed = services.scored_value(row.item, rules, row.counts, None)[0]
        row.evidence = None
        row.suggestion = None
        if with_evidence and row.item.metric in REGISTRY:
            key = row.item.metric
            if key not in cache:
                cache[key] = compute(key, assessment.organization, assessment.round.year)
            row.evidence = cache[key]
            row.metric_label = REGISTRY[key].label
            row.suggestion = row.evidence.suggested_score(row.item)
    return rows


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


class AssessmentMixin:
    """A page about one assessment, fetched through the user's assessments (404 when not
    visible); the rule is then asked on it."""

    def get_object(self):
        return selectors.get_assessment_for(self.request.user, self.kwargs["pk"])


class RowsPageView(AssessmentMixin, PortalPermissionMixin, TemplateView):
    """The scoring and the self-assessment pages: one posted form of item rows (`PostedRows`
    with the page's `fields`), saved at once by the page's service; after a refusal the page
    shows what was typed again (nothing of it was saved)."""

    fields: tuple[str, ...] = ()
    editable_state: str = ""

    def save(self, form: PostedRows) -> Assessment:
        raise NotImplementedError

    def saved(self, assessment: Assessment):
        raise NotImplementedError

    def refused(self, error: str, status: int):
        return self.render_page(error=error, status=status, posted=True)

    def rows(self, assessment: Assessment) -> list[ItemScore]:
        return _score_rows(assessment, with_evidence=False)

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        form = PostedRows(request.POST, fields=self.fields)
        try:
            saved = self.save(form)
        except services.StaleAssessmentError as exc:
            return self.refused(service_error_message(exc), 409)
        except services.AssessmentError as exc:
            return self.refused(service_error_message(exc), 400)
        return self.saved(saved)

    def render_page(self, *, error: str = "", status: int = 200, posted: bool = False):
        assessment = self.object
        assessment.refresh_from_db()
        rows = self.rows(assessment)
        if posted:
            PostedRows(self.request.POST, fields=self.fields).overlay(rows)
        context = self.get_context_data(
            assessment=assessment,
            round=assessment.round,
            rows=rows,
            error=error,
            editable=assessment.round.state == self.editable_state,
        )
        return render(self.request, self.template_name, context, status=status)


class ScoreView(RowsPageView):
    """The scoring page: every item with maximum, self score, evidence, suggestion, deduction
    ticks, score and comment. A plain form saves all; the small script saves one item."""

    permission_required = "assessment.score_assessment"
    template_name = "assessment/score.html"
    fields = ("score", "comment")
    editable_state = RoundState.SCORING

    def save(self, form: PostedRows) -> Assessment:
        entries = [
            services.ScoreEntry(
                item_id=row.item_id,
                score=row.values["score"],
                comment=row.values["comment"],
                deduction_ids=row.deduction_ids,
                veto=row.veto,
                deduction_counts=row.deduction_counts,
                assessed=row.assessed,
            )
            for row in form.rows()
        ]
        return services.scores_save(
            assessment=self.object,
            version=form.version(),
            entries=entries,
            acting_user=self.request.user,
        )

    def saved(self, assessment: Assessment):
        if _wants_json(self.request):
            return JsonResponse({"version": assessment.version, "message": _("Saved.")})
        messages.success(self.request, _("The scores were saved."))
        return redirect("assessment:score", assessment.pk)

    def refused(self, error: str, status: int):
        if _wants_json(self.request):
            return JsonResponse({"error": error}, status=status)
        return super().refused(error, status)

    def rows(self, assessment: Assessment) -> list[ItemScore]:
        return _score_rows(assessment, with_evidence=True)

    def get_context_data(self, **kwargs):
        assessment = self.object
        kwargs["supervisors"] = selectors.supervisors_by_organization(assessment.round).get(
            assessment.organization_id, []
        )
        kwargs["ItemKind"] = ItemKind
        return super().get_context_data(**kwargs)


class SelfAssessView(RowsPageView):
    permission_required = "assessment.self_assess_assessment"
    template_name = "assessment/self_assess.html"
    fields = ("self_score", "self_note")
    editable_state = RoundState.SELF_ASSESSMENT

    def save(self, form: PostedRows) -> Assessment:
        entries = [
            services.SelfEntry(
                item_id=row.item_id,
                self_score=row.values["self_score"],
                self_note=row.values["self_note"],
            )
            for row in form.rows()
        ]
        return services.self_assessment_save(
            assessment=self.object,
            version=form.version(),
            entries=entries,
            acting_user=self.request.user,
        )

    def saved(self, assessment: Assessment):
        messages.success(self.request, _("Your self-assessment was saved."))
        return redirect("assessment:self_assess", assessment.pk)


class ScoreCardView(AssessmentMixin, PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_scorecard"
    template_name = "assessment/score_card.html"

    def get_context_data(self, **kwargs):
        assessment = self.object
        rows = _score_rows(assessment, with_evidence=False)
        result = services.assessment_totals(assessment, rows)
        kwargs.update(
            assessment=assessment,
            round=assessment.round,
            rows=rows,
            running_total=result.total,
            running_normal=result.normal,
            running_bonus=result.bonus,
            running_vetoes=result.vetoes,
            running_vetoed=bool(result.vetoes),
            supervisors=selectors.supervisors_by_organization(assessment.round).get(
                assessment.organization_id, []
            ),
        )
        return super().get_context_data(**kwargs)
