"""Pages of community coordination (needs, resources, claims), the mediation studio and the
community page. Thin: read through community_selectors, write through community_services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from alliance import selectors, services
from alliance.exports import coordination_workbook
from alliance.forms import (
    AllianceJoinForm,
    AllianceLeaveForm,
    AnnualTargetForm,
    DeclineForm,
    MediationCaseForm,
    NeedClaimForm,
    NeedFilter,
    NeedForm,
    ResourceClaimForm,
    ResourceFilter,
    ResourceForm,
    RotaShiftForm,
)
from alliance.models import AllianceMembership, AnnualTarget, Hub
from alliance.services import CoordinationError
from branches.forms import add_service_errors
from core.permissions import require_perm

PAGE_SIZE = 20


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Needs -----------------------------------------------------------------------------------


def need_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.view_need")
    filterset = NeedFilter(request.GET, queryset=selectors.needs_for(request.user))
    page_obj = _page(request, filterset.qs.order_by("-created_at", "-pk"))
    return render(
        request,
        "alliance/community/need_list.html",
        {"filter": filterset, "page_obj": page_obj, "year": timezone.localdate().year},
    )


def need_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.add_need")
    form = NeedForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.need_post(
                acting_user=request.user,
                organization=data["organization"],
                title=data["title"],
                description=data["description"],
                category=data["category"],
                wanted_by=data["wanted_by"],
                people_wanted=data["people_wanted"],
                skills=data["skills"],
            )
        except CoordinationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The need is posted."))
            return redirect(need)
    return render(
        request,
        "alliance/community/item_form.html",
        {"form": form, "title": _("Post a need"), "cancel_url": reverse("alliance:need_list")},
    )


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "alliance.view_need")
    need = selectors.get_need_for(request.user, pk)
    claims = selectors.claims_for(request.user).filter(need=need).order_by("-claimed_at")
    may_claim = request.user.has_perm("alliance.claim_need", need) and need.current_state in (
        "open",
        "claimed",
    )
    suggestions = (
        selectors.suggest_members(request.user, need)
        if request.user.has_perm("alliance.suggest_members")
        else None
    )
    return render(
        request,
        "alliance/community/need_detail.html",
        {
            "need": need,
            "claims": claims,
            "claim_form": NeedClaimForm(user=request.user, need=need) if may_claim else None,
            "decline_form": DeclineForm(),
            "may_change": request.user.has_perm("alliance.change_need", need),
            "suggestions": suggestions,
        },
    )


@require_POST
def need_claim(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.get_need_for(request.user, pk)
    require_perm(request, "alliance.claim_need", need)
    form = NeedClaimForm(request.POST, user=request.user, need=need)
    if form.is_valid():
        try:
            services.need_claim(
                need=need,
                organization=form.cleaned_data["organization"],
                people=form.cleaned_data["people"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except CoordinationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your claim is sent; the community will answer it."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(need)


@require_POST
def need_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.get_need_for(request.user, pk)
    require_perm(request, "alliance.change_need", need)
    try:
        services.need_withdraw(need=need, acting_user=request.user)
    except CoordinationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The need is withdrawn."))
    return redirect(need)


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[field].label if field in form.fields else ''}：{error}".lstrip("：")
        for field, errors in form.errors.items()
        for error in errors
    )


# --- Resources -------------------------------------------------------------------------------


def resource_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.view_resource")
    filterset = ResourceFilter(request.GET, queryset=selectors.resources_for(request.user))
    page_obj = _page(request, filterset.qs.order_by("-created_at", "-pk"))
    return render(
        request,
        "alliance/community/resource_list.html",
        {"filter": filterset, "page_obj": page_obj, "year": timezone.localdate().year},
    )


def resource_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.add_resource")
    form = ResourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_post(acting_user=request.user, **form.cleaned_data)
        except CoordinationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The resource is posted."))
            return redirect(resource)
    return render(
        request,
        "alliance/community/item_form.html",
        {
            "form": form,
            "title": _("Offer a resource"),
            "cancel_url": reverse("alliance:resource_list"),
        },
    )


def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "alliance.view_resource")
    resource = selectors.get_resource_for(request.user, pk)
    claims = selectors.claims_for(request.user).filter(resource=resource).order_by("-claimed_at")
    may_claim = request.user.has_perm("alliance.claim_resource", resource) and resource.state in (
        "open",
        "claimed",
    )
    return render(
        request,
        "alliance/community/resource_detail.html",
        {
            "resource": resource,
            "claims": claims,
            "claim_form": ResourceClaimForm() if may_claim else None,
            "decline_form": DeclineForm(),
            "may_change": request.user.has_perm("alliance.change_resource", resource),
        },
    )


@require_POST
def resource_claim(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.get_resource_for(request.user, pk)
    require_perm(request, "alliance.claim_resource", resource)
    form = ResourceClaimForm(request.POST)
    if form.is_valid():
        try:
            services.resource_claim(
                resource=resource, acting_user=request.user, **form.cleaned_data
            )
        except CoordinationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your claim is sent; the organization will answer it."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(resource)


@require_POST
def resource_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.get_resource_for(request.user, pk)
    require_perm(request, "alliance.change_resource", resource)
    try:
        services.resource_withdraw(resource=resource, acting_user=request.user)
    except CoordinationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The resource is withdrawn."))
    return redirect(resource)


# --- Claims ----------------------------------------------------------------------------------


def claim_inbox(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.view_claim_inbox")
    incoming, outgoing = selectors.claim_inbox(request.user)
    return render(
        request,
        "alliance/community/claim_inbox.html",
        {
            "incoming": incoming.order_by("state", "-claimed_at")[:100],
            "outgoing": outgoing.order_by("state", "-claimed_at")[:100],
            "decline_form": DeclineForm(),
        },
    )


def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for(request.user, pk)
    require_perm(request, "alliance.view_claim", claim)
    return render(
        request,
        "alliance/community/claim_detail.html",
        {"claim": claim, "claims": [claim]},
    )


def _back(request: HttpRequest, claim) -> HttpResponse:
    target = request.POST.get("next")
    if target == "inbox":
        return redirect("alliance:claim_inbox")
    return redirect(claim.item)


@require_POST
def claim_accept(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for(request.user, pk)
    require_perm(request, "alliance.decide_claim", claim)
    try:
        claim = services.claim_accept(claim=claim, acting_user=request.user)
    except CoordinationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The claim is accepted; the activity “%(title)s” is planned for both sides.")
            % {"title": claim.activity.title},
        )
    return _back(request, claim)


@require_POST
def claim_decline(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for(request.user, pk)
    require_perm(request, "alliance.decide_claim", claim)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.claim_decline(claim=claim, acting_user=request.user, reason=reason)
    except CoordinationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The claim is declined."))
    return _back(request, claim)


@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for(request.user, pk)
    require_perm(request, "alliance.withdraw_claim", claim)
    try:
        services.claim_withdraw(claim=claim, acting_user=request.user)
    except CoordinationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your claim is withdrawn."))
    return _back(request, claim)


# --- Mediation studio ------------------------------------------------------------------------


def studio_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.view_mediationstudio")
    studios = selectors.studios_for(request.user).order_by("name")
    return render(request, "alliance/community/studio_list.html", {"studios": studios})


def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "alliance.view_mediationstudio")
    studio = selectors.get_studio_for(request.user, pk)
    today = timezone.localdate()
    may_view_cases = request.user.has_perm("alliance.view_mediationcase", studio)
    cases = None
    if may_view_cases:
        cases = _page(request, selectors.cases_for(request.user).filter(studio=studio))
    return render(
        request,
        "alliance/community/studio_detail.html",
        {
            "studio": studio,
            "rota": selectors.rota(studio, start=today - datetime.timedelta(days=7)),
            "figures": selectors.studio_figures([studio], today.year),
            "page_obj": cases,
            "may_view_cases": may_view_cases,
            "may_change": request.user.has_perm("alliance.change_mediationstudio", studio),
            "today": today,
        },
    )


def rota_shift_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = selectors.get_studio_for(request.user, pk)
    require_perm(request, "alliance.change_mediationstudio", studio)
    form = RotaShiftForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.rota_shift_add(studio=studio, acting_user=request.user, **form.cleaned_data)
        except CoordinationError as exc:
            form.add_error("member", str(exc))
        else:
            messages.success(request, _("The shift is on the rota."))
            return redirect(studio)
    return render(
        request,
        "alliance/community/item_form.html",
        {
            "form": form,
            "title": _("Add a shift to the rota"),
            "studio": studio,
            "cancel_url": studio.get_absolute_url(),
        },
    )


def case_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = selectors.get_studio_for(request.user, pk)
    require_perm(request, "alliance.change_mediationstudio", studio)
    form = MediationCaseForm(request.POST or None, studio=studio)
    if request.method == "POST" and form.is_valid():
        try:
            services.mediation_case_record(
                studio=studio, acting_user=request.user, **form.cleaned_data
            )
        except CoordinationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The case is recorded."))
            return redirect(studio)
    return render(
        request,
        "alliance/community/item_form.html",
        {
            "form": form,
            "title": _("Record a case"),
            "studio": studio,
            "cancel_url": studio.get_absolute_url(),
        },
    )


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    require_perm(request, "alliance.view_mediationcase", case.studio)
    return render(request, "alliance/community/case_detail.html", {"case": case})


# --- Community page and export ---------------------------------------------------------------


def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "alliance.view_community")
    community = selectors.get_community_for(request.user, pk)
    context = selectors.community_overview(request.user, community)
    return render(request, "alliance/community/community_detail.html", context)


def coordination_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.export_coordination")

    return coordination_workbook(request)


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
