"""Pages under /assessment/. Thin: fetch through selectors (404), check the rule (403), call a
service, show a message."""

from __future__ import annotations

from collections import Counter

import django_filters
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from assessment import exports, selectors, services
from assessment.filters import InspectionFilter, RectificationFilter
from assessment.forms import (
    AssignForm,
    InspectionForm,
    ReasonForm,
    RectificationDoneForm,
    RectificationForm,
    RoundForm,
    RoundScopeForm,
    RubricCopyForm,
    RubricUploadForm,
    ThresholdsForm,
)
from assessment.metrics import REGISTRY, compute
from assessment.models import (
    Assessment,
    Grade,
    GradeThresholds,
    ItemKind,
    ItemScore,
    RectificationStatus,
    Round,
    RoundState,
)
from branches.models import Category
from core.permissions import require_perm
from core.xlsx import Sheet, xlsx_response

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- Index ---------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"rounds": selectors.rounds_for(user)[:5]}
    if user.is_supervisor:
        context["assigned_count"] = (
            selectors.assessments_for(user).exclude(round__state=RoundState.DRAFT).count()
        )
    if user.is_secretary:
        context["own_count"] = selectors.assessments_for(user).count()
    context["overdue_count"] = (
        selectors.rectifications_for(user)
        .filter(status=RectificationStatus.OPEN, deadline__lt=timezone.localdate())
        .count()
    )
    return render(request, "assessment/index.html", context)


# --- Rubrics -------------------------------------------------------------------------------


def rubric_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_rubric")
    rubrics = selectors.rubrics_for(request.user)
    return render(request, "assessment/rubric_list.html", {"page_obj": _page(request, rubrics)})


def rubric_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.view_rubric")
    rubric = selectors.get_rubric_for(request.user, pk)
    sections = rubric.sections.prefetch_related("items__deductions")
    return render(
        request,
        "assessment/rubric_detail.html",
        {
            "rubric": rubric,
            "sections": sections,
            "problems": services.rubric_problems(rubric),
            "metrics": REGISTRY,
        },
    )


def rubric_download(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.view_rubric")
    rubric = selectors.get_rubric_for(request.user, pk)
    return exports.rubric_download(rubric, user=request.user)


def rubric_copy(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.change_rubric")
    year = timezone.localdate().year
    form = RubricCopyForm(request.POST or None, initial={"from_year": year - 1, "to_year": year})
    if request.method == "POST" and form.is_valid():
        try:
            copies = services.rubric_copy(
                from_year=form.cleaned_data["from_year"],
                to_year=form.cleaned_data["to_year"],
                category=form.cleaned_data["category"] or None,
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(count)s rubric(s) copied.") % {"count": len(copies)})
            return redirect(copies[0])
    return render(
        request,
        "assessment/form_page.html",
        {
            "form": form,
            "title": _("Copy last year's rubric"),
            "submit_label": _("Copy"),
            "cancel_url": reverse("assessment:rubric_list"),
        },
    )


def rubric_upload(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.change_rubric")
    form = RubricUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"year": timezone.localdate().year + 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rubric = services.rubric_import(
                file=form.cleaned_data["file"],
                year=form.cleaned_data["year"],
                category=form.cleaned_data["category"],
                replace=form.cleaned_data["replace"],
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("The rubric was uploaded and is valid."))
            return redirect(rubric)
    return render(
        request,
        "assessment/form_page.html",
        {
            "form": form,
            "title": _("Upload a rubric"),
            "submit_label": _("Upload"),
            "cancel_url": reverse("assessment:rubric_list"),
        },
    )


# --- Rounds --------------------------------------------------------------------------------


def round_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_round")
    rounds = selectors.rounds_for(request.user)
    return render(request, "assessment/round_list.html", {"page_obj": _page(request, rounds)})


def round_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.change_round")
    form = RoundForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                year=data["year"],
                title=data["title"],
                rubrics=data["rubrics"],
                self_assessment_due=data["self_assessment_due"],
                scoring_due=data["scoring_due"],
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The round was created. Now choose its organizations."))
            return redirect("assessment:round_scope", round_.pk)
    return render(
        request,
        "assessment/form_page.html",
        {
            "form": form,
            "title": _("New assessment round"),
            "submit_label": _("Create"),
            "cancel_url": reverse("assessment:round_list"),
        },
    )


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.view_round")
    round_ = selectors.get_round_for(request.user, pk)
    page_obj = _page(request, selectors.round_assessments(round_))
    supervisors = selectors.supervisors_by_organization(round_)
    for assessment in page_obj:
        assessment.supervisor_list = supervisors.get(assessment.organization_id, [])
    scope = []
    if round_.state == RoundState.DRAFT:
        scope = [
            (org, supervisors.get(org.pk, []))
            for org in round_.organizations.order_by("category", "path")
        ]
    return render(
        request,
        "assessment/round_detail.html",
        {
            "round": round_,
            "page_obj": page_obj,
            "scope": scope,
            "events": round_.events.select_related("by"),
            "rubrics": round_.rubrics.all(),
            "reopen_form": ReasonForm(),
        },
    )


def round_scope(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.change_round")
    round_ = selectors.get_round_for(request.user, pk)
    form = RoundScopeForm(request.POST or None, round=round_)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_set_scope(
                round=round_,
                organizations=form.cleaned_data["organizations"],
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The organizations in scope were saved."))
            return redirect("assessment:round_assign", round_.pk)
    return render(
        request,
        "assessment/form_page.html",
        {
            "form": form,
            "title": _("Organizations in scope"),
            "subtitle": round_.title,
            "cancel_url": round_.get_absolute_url(),
        },
    )


def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.change_round")
    round_ = selectors.get_round_for(request.user, pk)
    form = AssignForm(request.POST or None, round=round_)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_assign(
                round=round_,
                organizations=form.cleaned_data["organizations"],
                supervisors=form.cleaned_data["supervisors"],
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The supervisors were assigned."))
            return redirect(round_)
    return render(
        request,
        "assessment/form_page.html",
        {
            "form": form,
            "title": _("Assign supervisors"),
            "subtitle": round_.title,
            "submit_label": _("Assign"),
            "cancel_url": round_.get_absolute_url(),
        },
    )


TRANSITIONS = {
    "open_self_assessment": services.round_open_self_assessment,
    "open_scoring": services.round_open_scoring,
    "finalize": services.round_finalize,
}


@require_POST
def round_transition(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.change_round")
    round_ = selectors.get_round_for(request.user, pk)
    action = TRANSITIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown action."))
        return redirect(round_)
    try:
        round_ = action(round=round_, acting_user=request.user)
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The round is now: %(state)s.") % {"state": round_.get_state_display()}
        )
    return redirect(round_)


@require_POST
def round_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.change_round")
    round_ = selectors.get_round_for(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening the round."))
        return redirect(round_)
    try:
        services.round_reopen(
            round=round_, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The round was reopened for scoring; the reason is recorded."))
    return redirect(round_)


def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.view_results")
    round_ = selectors.get_round_for(request.user, pk)
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
    return render(
        request,
        "assessment/round_results.html",
        {"round": round_, "groups": groups, "distribution": distribution},
    )


def round_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.view_results")
    round_ = selectors.get_round_for(request.user, pk)
    return exports.score_sheet_download(round_, user=request.user)


# --- Results across rounds (the 首页's grade figures link here) -----------------------------


def _result_years():
    return [
        (year, year)
        for year in Round.objects.filter(state=RoundState.FINALIZED)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    ]


class ResultFilter(django_filters.FilterSet):
    """The results list and its Excel export filter alike (year, grade, organization type)."""

    year = django_filters.TypedChoiceFilter(
        label=gettext_lazy("Year"), field_name="round__year", choices=_result_years, coerce=int
    )
    grade = django_filters.ChoiceFilter(
        label=pgettext_lazy("assessment", "Grade"), choices=Grade.choices
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("Organization type"),
        field_name="organization__category",
        choices=Category.choices,
    )


def _results(request: HttpRequest) -> ResultFilter:
    """Final results (totals, grades and ranks of finalized rounds) of the rounds the user may
    read — the same readers as a round's results page."""
    rounds = selectors.rounds_for(request.user).filter(state=RoundState.FINALIZED)
    queryset = (
        Assessment.objects.filter(round__in=rounds.values("pk"))
        .exclude(grade="")
        .select_related("round", "organization")
        .order_by("-round__year", "round__pk", "organization__category", "rank", "pk")
    )
    return ResultFilter(request.GET or None, queryset=queryset)


def results(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_results")
    filterset = _results(request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    year = filterset.form.cleaned_data.get("year") if filterset.is_bound else None
    return render(
        request,
        "assessment/results.html",
        {
            "filter": filterset,
            "page_obj": _page(request, queryset),
            "year": year,
            "distribution": selectors.grade_distribution(year) if year else None,
            "export_query": request.GET.urlencode(),
        },
    )


def results_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_results")
    filterset = _results(request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    categories = dict(Category.choices)

    def rows():
        for a in queryset.iterator(chunk_size=500):
            yield [
                a.round.year,
                a.round.title,
                a.organization.name,
                str(categories.get(a.organization.category, "")),
                a.total,
                a.get_grade_display(),
                a.rank,
                _("Yes") if a.vetoed else _("No"),
            ]

    sheet = Sheet(
        title=_("Results"),
        headers=[
            _("Year"),
            _("Round"),
            _("Organization"),
            _("Organization type"),
            pgettext("assessment", "Total"),
            pgettext("assessment", "Grade"),
            pgettext("assessment", "Rank"),
            _("Vetoed"),
        ],
        rows=rows(),
        caption=_("Assessment results (exported %(when)s)")
        % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        widths=[8, 36, 36, 12, 10, 10, 8, 10],
    )
    return xlsx_response(
        "assessment-results.xlsx",
        sheet,
        user=request.user,
        export="assessment.results",
        query=request.GET,
    )


# --- Role pages ----------------------------------------------------------------------------


def my_assignments(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_my_assignments")
    assessments = (
        selectors.assessments_for(request.user)
        .exclude(round__state=RoundState.DRAFT)
        .order_by("-round__year", "round__pk", "organization__path")
    )
    return render(
        request, "assessment/my_assignments.html", {"page_obj": _page(request, assessments)}
    )


def my_self_assessment(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_my_self_assessment")
    assessments = (
        selectors.assessments_for(request.user)
        .exclude(round__state=RoundState.DRAFT)
        .order_by("-round__year", "organization__path")
    )
    return render(
        request, "assessment/my_self_assessment.html", {"page_obj": _page(request, assessments)}
    )


# --- Scoring -------------------------------------------------------------------------------


def _score_rows(assessment: Assessment, *, with_evidence: bool) -> list[ItemScore]:
    rows = list(
        assessment.scores.select_related("item__section", "updated_by").prefetch_related(
            "item__deductions", "deductions"
        )
    )
    cache: dict[str, object] = {}
    for row in rows:
        row.ticked_ids = {d.pk for d in row.deductions.all()}
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


def _posted_ids(request: HttpRequest) -> list[int]:
    ids = []
    for raw in request.POST.getlist("item"):
        try:
            ids.append(int(raw))
        except ValueError:
            raise services.AssessmentError(_("That item is not part of this assessment.")) from None
    return ids


def _ints(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise services.AssessmentError(_("A ticked deduction is not valid.")) from None


def _overlay_posted(rows: list[ItemScore], request: HttpRequest, fields: tuple[str, ...]) -> None:
    """Show what the user typed again after a refused save (nothing of it was saved)."""
    for row in rows:
        pk = row.item_id
        if str(pk) not in request.POST.getlist("item"):
            continue
        row.posted = {name: request.POST.get(f"{name}_{pk}", "") for name in fields}
        row.ticked_ids = {int(v) for v in request.POST.getlist(f"deduction_{pk}") if v.isdigit()}
        row.posted["veto"] = request.POST.get(f"veto_{pk}") == "on"


def score(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page: every item with maximum, self score, evidence, suggestion, deduction
    ticks, score and comment. A plain form saves all; the small script saves one item."""
    assessment = selectors.get_assessment_for(request.user, pk)
    require_perm(request, "assessment.score_assessment", assessment)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            ids = _posted_ids(request)
            entries = [
                services.ScoreEntry(
                    item_id=item_id,
                    score=request.POST.get(f"score_{item_id}", ""),
                    comment=request.POST.get(f"comment_{item_id}", ""),
                    deduction_ids=_ints(request.POST.getlist(f"deduction_{item_id}")),
                    veto=request.POST.get(f"veto_{item_id}") == "on",
                )
                for item_id in ids
            ]
            version = int(request.POST.get("version", "0") or 0)
            saved = services.scores_save(
                assessment=assessment, version=version, entries=entries, acting_user=request.user
            )
        except services.StaleAssessmentError as exc:
            error, status = str(exc), 409
        except services.AssessmentError as exc:
            error, status = str(exc), 400
        except ValueError:
            error, status = _("The form was incomplete; reload the page."), 400
        else:
            if _wants_json(request):
                return JsonResponse({"version": saved.version, "message": _("Saved.")})
            messages.success(request, _("The scores were saved."))
            return redirect("assessment:score", assessment.pk)
        if _wants_json(request):
            return JsonResponse({"error": error}, status=status)
    assessment.refresh_from_db()
    rows = _score_rows(assessment, with_evidence=True)
    if error:
        _overlay_posted(rows, request, ("score", "comment"))
    return render(
        request,
        "assessment/score.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "rows": rows,
            "error": error,
            "editable": assessment.round.state == RoundState.SCORING,
            "supervisors": selectors.supervisors_by_organization(assessment.round).get(
                assessment.organization_id, []
            ),
            "ItemKind": ItemKind,
        },
        status=200 if status in (200,) else status,
    )


def self_assess(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_assessment_for(request.user, pk)
    require_perm(request, "assessment.self_assess_assessment", assessment)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            ids = _posted_ids(request)
            entries = [
                services.SelfEntry(
                    item_id=item_id,
                    self_score=request.POST.get(f"self_score_{item_id}", ""),
                    self_note=request.POST.get(f"self_note_{item_id}", ""),
                )
                for item_id in ids
            ]
            version = int(request.POST.get("version", "0") or 0)
            services.self_assessment_save(
                assessment=assessment, version=version, entries=entries, acting_user=request.user
            )
        except services.StaleAssessmentError as exc:
            error, status = str(exc), 409
        except services.AssessmentError as exc:
            error, status = str(exc), 400
        except ValueError:
            error, status = _("The form was incomplete; reload the page."), 400
        else:
            messages.success(request, _("Your self-assessment was saved."))
            return redirect("assessment:self_assess", assessment.pk)
    assessment.refresh_from_db()
    rows = _score_rows(assessment, with_evidence=False)
    if error:
        _overlay_posted(rows, request, ("self_score", "self_note"))
    return render(
        request,
        "assessment/self_assess.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "rows": rows,
            "error": error,
            "editable": assessment.round.state == RoundState.SELF_ASSESSMENT,
        },
        status=status,
    )


def score_card(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_assessment_for(request.user, pk)
    require_perm(request, "assessment.view_scorecard", assessment)
    rows = _score_rows(assessment, with_evidence=False)
    total, vetoed = services.compute_total(assessment, rows)
    return render(
        request,
        "assessment/score_card.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "rows": rows,
            "running_total": total,
            "running_vetoed": vetoed,
            "supervisors": selectors.supervisors_by_organization(assessment.round).get(
                assessment.organization_id, []
            ),
        },
    )


def thresholds(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.change_gradethresholds")
    current = GradeThresholds.current()
    form = ThresholdsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_thresholds_set(
                excellent=form.cleaned_data["excellent"],
                good=form.cleaned_data["good"],
                pass_mark=form.cleaned_data["pass_mark"],
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The grade thresholds were saved; they apply from the next finalizing.")
            )
            return redirect("assessment:index")
    return render(
        request,
        "assessment/form_page.html",
        {"form": form, "title": _("Grade thresholds"), "cancel_url": reverse("assessment:index")},
    )


# --- Inspections ---------------------------------------------------------------------------


def inspection_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_inspection")
    filterset = InspectionFilter(
        request.GET or None, queryset=selectors.inspections_for(request.user), request=request
    )
    return render(
        request,
        "assessment/inspection_list.html",
        {
            "filter": filterset,
            "page_obj": _page(request, filterset.qs),
            "today": timezone.localdate(),
        },
    )


def inspection_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.change_inspection")
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The inspection was recorded."))
            return redirect(inspection)
    return render(
        request,
        "assessment/form_page.html",
        {
            "form": form,
            "title": _("Record an inspection"),
            "cancel_url": reverse("assessment:inspection_list"),
        },
    )


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "assessment.view_inspection")
    inspection = selectors.get_inspection_for(request.user, pk)
    form = RectificationForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "assessment.change_inspection")
        if form.is_valid():
            try:
                services.rectification_add(
                    inspection=inspection,
                    required=form.cleaned_data["required"],
                    deadline=form.cleaned_data["deadline"],
                    acting_user=request.user,
                )
            except services.AssessmentError as exc:
                form.add_error("deadline", str(exc))
            else:
                messages.success(request, _("The rectification was added."))
                return redirect(inspection)
    return render(
        request,
        "assessment/inspection_detail.html",
        {"inspection": inspection, "form": form, "done_form": RectificationDoneForm()},
    )


def rectification_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "assessment.view_inspection")
    filterset = RectificationFilter(
        request.GET or None,
        queryset=selectors.rectifications_for(request.user).order_by("deadline", "pk"),
        request=request,
    )
    return render(
        request,
        "assessment/rectification_list.html",
        {"filter": filterset, "page_obj": _page(request, filterset.qs)},
    )


@require_POST
def rectification_done(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = selectors.get_rectification_for(request.user, pk)
    require_perm(request, "assessment.change_inspection")
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
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The rectification is marked as done."))
    return redirect(rectification.inspection)
