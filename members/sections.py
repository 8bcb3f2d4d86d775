"""The members section of the organization page (registered in MembersConfig.ready)."""

from __future__ import annotations

from django.urls import reverse

from members.selectors import organization_member_figures


def organization_section_context(request, organization) -> dict:
    """The members section of the organization page (one query)."""
    user = request.user
    url = None
    if user.has_perm("members.view_member"):
        url = f"{reverse('members:list')}?organization={organization.pk}"
    return {"org_members": organization_member_figures(organization), "org_members_url": url}
