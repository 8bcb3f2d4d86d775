"""The community coordination section of the organization page (registered in
AllianceConfig.ready): open needs nearby to claim, the organization's claims, and the resources
it offers. A fixed number of queries whatever the numbers of rows (each list is capped)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from alliance import selectors
from alliance.models import ClaimState, ResourceState

SECTION_ROWS = 5


def organization_section_context(request, organization) -> dict:
    user = request.user
    today = timezone.localdate()
    claims = (
        selectors.claims_for(user)
        .filter(
            Q(claiming_organization=organization)
            | Q(need__posted_by_organization=organization)
            | Q(resource__organization=organization)
        )
        .exclude(state=ClaimState.WITHDRAWN)
        .order_by("-claimed_at", "-pk")[:SECTION_ROWS]
    )
    resources = (
        selectors.resources_for(user)
        .filter(organization=organization, state__in=(ResourceState.OPEN, ResourceState.CLAIMED))
        .order_by("-pk")[:SECTION_ROWS]
    )
    return {
        "community_organization": organization,
        "community_needs_nearby": selectors.open_needs_near(
            user, organization, today, limit=SECTION_ROWS
        ),
        "community_claims": list(claims),
        "community_resources": list(resources),
    }
