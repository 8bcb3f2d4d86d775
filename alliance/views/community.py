"""The community page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance import selectors
from core.permissions import require_perm

# --- Community page and export ---------------------------------------------------------------


def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "alliance.view_community")
    community = selectors.get_community_for(request.user, pk)
    context = selectors.community_overview(request.user, community)
    return render(request, "alliance/community/community_detail.html", context)
