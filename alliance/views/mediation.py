"""Pages of the mediation studio (说和室): studios, rota, cases."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import selectors, services
from alliance.forms import (
    MediationCaseForm,
    RotaShiftForm,
)
from alliance.services import CoordinationError
from alliance.views.base import _page
from core.permissions import require_perm

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
