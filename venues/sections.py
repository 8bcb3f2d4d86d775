"""The venues section of the organization page (registered in VenuesConfig.ready)."""

from __future__ import annotations

from venues.selectors import organization_venue_summary


def organization_section_context(request, organization) -> dict:
    return organization_venue_summary(organization)
