"""`{% organization_election organization %}`: the organization page's line about its
election under way (or the button to open one), one query."""

from django import template

from branches.elections import ELECTING_KINDS, open_election_of
from branches.models import Status

register = template.Library()


@register.inclusion_tag("branches/elections/_organization_election.html", takes_context=True)
def organization_election(context, organization) -> dict:
    user = context["request"].user
    electing = organization.kind in ELECTING_KINDS and organization.status == Status.ACTIVE
    return {
        "organization": organization,
        "election": open_election_of(organization) if electing else None,
        "can_open": electing and user.has_perm("branches.change_election", organization),
    }
