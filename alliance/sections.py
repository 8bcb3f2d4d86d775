"""The community coordination section of the organization page (registered in
AllianceConfig.ready): open needs nearby to claim, the organization's claims, and the resources
it offers. A fixed number of queries whatever the numbers of rows (each list is capped)."""

from __future__ import annotations

from django.utils import timezone

from alliance import selectors

SECTION_ROWS = 5


def organization_section_context(request, organization) -> dict:
    user = request.user
    today = timezone.localdate()
    return {
        "community_organization": organization,
        "community_needs_nearby": selectors.open_needs_near(
            user, organization, today, limit=SECTION_ROWS
        ),
        "community_claims": selectors.claims_of_organization(
            user, organization, limit=SECTION_ROWS
        ),
        "community_resources": selectors.offered_resources_of(
            user, organization, limit=SECTION_ROWS
        ),
    }
