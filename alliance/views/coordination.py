"""Pages of community coordination: the needs and resources boards (双清单) and claims
(双认领), and their export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance import selectors, services
from alliance.exports import coordination_workbook
from alliance.forms import (
    DeclineForm,
    NeedClaimForm,
    NeedFilter,
    NeedForm,
    ResourceClaimForm,
    ResourceFilter,
    ResourceForm,
)
from alliance.services import CoordinationError
from alliance.views.base import _form_errors, _page
from core.permissions import require_perm

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


def coordination_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "alliance.export_coordination")

    return coordination_workbook(request)
