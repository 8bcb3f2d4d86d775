"""Scoring pages: the supervisor's and the secretary's lists, the scoring page, the
self-assessment page and the score card."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from assessment import selectors, services
from assessment.forms import PostedRows
from assessment.metrics import REGISTRY, compute
from assessment.models import (
    Assessment,
    ItemKind,
    ItemScore,
    RoundState,
    ScoreDraft,
    fmt_points,
)
from assessment.views.base import paginate
from core.views import PortalPermissionMixin, service_error_message


class MyAssignmentsView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_my_assignments"
    template_name = "assessment/my_assignments.html"

    def get_context_data(self, **kwargs):
        drafts = ScoreDraft.objects.filter(assessment=OuterRef("pk"), user=self.request.user)
        assessments = selectors.with_progress(
            selectors.assessments_for(self.request.user)
            .exclude(round__state=RoundState.DRAFT)
            .order_by("-round__year", "round__pk", "organization__path")
        ).annotate(has_draft=Exists(drafts))
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


def _draft_computed(row: ItemScore) -> None:
    """After a draft or a refused post is shown again: the score its ticks give (the same
    rule the service saves by), so the page shows what would be submitted."""
    rules = {d.pk: d for d in row.item.deductions.all()}
    counts: dict[int, int] = {pk: 1 for pk in row.ticked_ids if pk in rules}
    for pk, raw in (row.counts or {}).items():
        text = str(raw).strip()
        if pk in rules and text.isdecimal() and 0 < int(text) <= 999:
            counts[pk] = int(text) if rules[pk].is_per_occurrence else 1
        elif pk in rules and text.isdecimal():
            counts.pop(pk, None)
    row.computed = services.scored_value(row.item, rules, counts, None)[0]


class ScoreView(RowsPageView):
    """评分: one card per item with the deduction lines as big toggles and the score they give;
    the page keeps a draft as it is typed (`save_draft`, autosaved by static/js/scoring.js)
    and restores it, and 提交评分 saves the scores. Without the script every card shows and
    both buttons post the form."""

    permission_required = "assessment.score_assessment"
    template_name = "assessment/score.html"
    fields = ("score", "comment")
    editable_state = RoundState.SCORING

    def post(self, request, *args, **kwargs):
        if "discard_draft" in request.POST:
            services.score_draft_discard(assessment=self.object, acting_user=request.user)
            messages.info(request, _("The draft was discarded; the page shows the saved scores."))
            return redirect("assessment:score", self.object.pk)
        if "save_draft" in request.POST:
            return self.save_draft()
        return super().post(request, *args, **kwargs)

    def save_draft(self):
        try:
            draft = services.score_draft_save(
                assessment=self.object,
                data=dict(self.request.POST.lists()),
                acting_user=self.request.user,
            )
        except services.AssessmentError as exc:
            return self.refused(service_error_message(exc), 400)
        saved_at = date_format(timezone.localtime(draft.updated_at), "H:i")
        message = _("Draft saved at %(time)s (not submitted).") % {"time": saved_at}
        if _wants_json(self.request):
            return JsonResponse({"saved_at": saved_at, "message": message})
        messages.success(self.request, message)
        return redirect("assessment:score", self.object.pk)

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
        return services.scores_submit(
            assessment=self.object,
            version=form.version(),
            entries=entries,
            acting_user=self.request.user,
        )

    def saved(self, assessment: Assessment):
        result = services.assessment_totals(assessment)
        message = _("The scores were saved and submitted: total %(total)s.") % {
            "total": fmt_points(result.total)
        }
        if _wants_json(self.request):
            return JsonResponse({"version": assessment.version, "message": _("Saved.")})
        messages.success(self.request, message)
        return redirect("assessment:score", assessment.pk)

    def refused(self, error: str, status: int):
        if _wants_json(self.request):
            return JsonResponse({"error": error}, status=status)
        return super().refused(error, status)

    def rows(self, assessment: Assessment) -> list[ItemScore]:
        rows = _score_rows(assessment, with_evidence=True)
        self.draft = None
        if self.request.method == "GET" and assessment.round.state == self.editable_state:
            self.draft = services.draft_for(assessment, self.request.user)
            if self.draft is not None:
                data = QueryDict(mutable=True)
                for name, values in self.draft.data.items():
                    data.setlist(name, values)
                PostedRows(data, fields=self.fields).overlay(rows)
        return rows

    def get_context_data(self, **kwargs):
        assessment = self.object
        rows = kwargs.get("rows", [])
        for row in rows:
            if getattr(row, "posted", None) is not None:
                _draft_computed(row)
        result = services.assessment_totals(assessment, rows)
        error = kwargs.get("error") or ""
        # A refusal names the item first ("1.2：…"): the script opens that card.
        kwargs["error_item"] = next(
            (r.item_id for r in rows if error.startswith((f"{r.item.code}:", f"{r.item.code}："))),
            None,
        )
        kwargs.update(
            supervisors=selectors.supervisors_by_organization(assessment.round).get(
                assessment.organization_id, []
            ),
            ItemKind=ItemKind,
            draft=getattr(self, "draft", None),
            draft_outdated=bool(
                getattr(self, "draft", None) and self.draft.version != assessment.version
            ),
            saved_total=result.total,
            item_total=len(rows),
        )
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
