"""The members section of the organization page (registered in MembersConfig.ready)."""

from __future__ import annotations

from django.urls import reverse

from members.models import OrganizationCommendation, Participation
from members.selectors import organization_member_figures


def organization_section_context(request, organization) -> dict:
    """The members section of the organization page (one query)."""
    user = request.user
    url = None
    if user.has_perm("members.view_member"):
        url = f"{reverse('members:list')}?organization={organization.pk}"
    return {"org_members": organization_member_figures(organization), "org_members_url": url}


def organization_honours_context(request, organization) -> dict:
    """The organization's commendations (with awarding body and level) and its two leaders
    (两个带头人: 党组织书记 and 活动带头人, flagged on current participations). Two queries."""
    leaders = (
        Participation.objects.filter(organization=organization, left_on__isnull=True)
        .exclude(leader="")
        .select_related("member")
        .order_by("leader", "member__name")
    )
    add_url = None
    if request.user.has_perm("members.add_organizationcommendation"):
        add_url = reverse("members:organization_commendation_add", args=[organization.pk])
    return {
        "org_commendations": list(
            OrganizationCommendation.objects.filter(organization=organization).order_by(
                "-year", "pk"
            )
        ),
        "org_leaders": list(leaders),
        "org_commendation_add_url": add_url,
    }
