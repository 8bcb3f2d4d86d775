"""Who may do what in community coordination and the mediation studio (django-rules).

Imported from alliance/permissions.py (rules' autodiscover only loads `permissions` modules).

- Reading the needs and resources boards, the community pages and the studios' rota and
  figures: everybody signed in (they are the alliance's public lists).
- An organization is spoken for (`acts_for`) by bureau staff, by a secretary for their
  organization's subtree, and by a community liaison for their community's party
  organization (and their own organization's subtree, if they have one).
- Needs are posted by a community party organization; resources offered by any organization;
  a need is claimed by an organization (secretary), a resource by a community (liaison).
  The side that posted an item accepts or declines its claims.
- Mediation case details (parties, summary): bureau staff and the studio's side — the
  secretary of the host organization (or of an organization above it), who keeps the case
  log for the studio's mediators. Mediators are members, not accounts, so the host
  organization's secretary is how "the studio's mediators" read and record cases. Nobody
  else ever receives them: other roles see counts only.
"""

from __future__ import annotations

import rules

from branches.models import Kind, Organization, Status
from core.permissions import (
    is_bureau_staff,
    is_liaison,
    is_secretary,
    is_signed_in,
    organization_in_scope,
)


def community_organization_of(user):
    """The community party organization a user speaks for: their own organization when it is
    one, otherwise (a liaison) the active community party organization of their community."""

    if user is None or not user.is_authenticated:
        return None
    own = user.organization if user.organization_id else None
    if own is not None and own.kind == Kind.COMMUNITY_ORG:
        return own
    if user.community_id:
        return (
            Organization.objects.filter(
                kind=Kind.COMMUNITY_ORG, community_id=user.community_id, status=Status.ACTIVE
            )
            .order_by("pk")
            .first()
        )
    return None


def acts_for(user, organization) -> bool:
    """May `user` act in the name of `organization` (claim, post, accept)?"""
    if user is None or organization is None or not user.is_authenticated:
        return False
    if user.is_bureau_staff:  # the system actor too (core.actors)
        return True
    if not user.is_active:
        return False
    if user.is_secretary:
        return organization_in_scope(user, organization)
    if user.is_liaison:
        if user.organization_id and organization_in_scope(user, organization):
            return True
        return bool(
            user.community_id
            and organization.kind == "community_org"
            and organization.community_id == user.community_id
        )
    return False


@rules.predicate
def speaks_for_a_community(user) -> bool:
    """A liaison with a community, or a secretary of a community party organization."""
    if is_liaison(user):
        return bool(user.community_id or user.organization_id)
    return bool(is_secretary(user) and user.organization.kind == "community_org")


@rules.predicate
def acts_for_need_poster(user, need) -> bool:
    return need is not None and acts_for(user, need.posted_by_organization)


@rules.predicate
def acts_for_resource_provider(user, resource) -> bool:
    return resource is not None and acts_for(user, resource.organization)


@rules.predicate
def decides_claim(user, claim) -> bool:
    if claim is None:
        return False
    owner = claim.need.posted_by_organization if claim.need_id else claim.resource.organization
    return acts_for(user, owner)


@rules.predicate
def made_claim(user, claim) -> bool:
    return claim is not None and acts_for(user, claim.claiming_organization)


@rules.predicate
def keeps_studio(user, studio) -> bool:
    return bool(
        studio is not None
        and is_secretary(user)
        and organization_in_scope(user, studio.host_organization)
    )


rules.add_perm("alliance.view_need", is_signed_in)
rules.add_perm("alliance.add_need", is_bureau_staff | speaks_for_a_community)
rules.add_perm("alliance.change_need", is_bureau_staff | acts_for_need_poster)
rules.add_perm("alliance.claim_need", is_bureau_staff | is_secretary)
rules.add_perm("alliance.view_resource", is_signed_in)
rules.add_perm("alliance.add_resource", is_bureau_staff | is_secretary)
rules.add_perm("alliance.change_resource", is_bureau_staff | acts_for_resource_provider)
rules.add_perm("alliance.claim_resource", is_bureau_staff | speaks_for_a_community)
rules.add_perm("alliance.view_claim", is_signed_in)
rules.add_perm("alliance.decide_claim", is_bureau_staff | decides_claim)
rules.add_perm("alliance.withdraw_claim", is_bureau_staff | made_claim)
rules.add_perm("alliance.view_claim_inbox", is_bureau_staff | is_secretary | is_liaison)
rules.add_perm("alliance.suggest_members", is_bureau_staff | is_secretary | is_liaison)
rules.add_perm("alliance.view_mediationstudio", is_signed_in)
rules.add_perm("alliance.view_mediationcase", is_bureau_staff | keeps_studio)
rules.add_perm("alliance.change_mediationstudio", is_bureau_staff | keeps_studio)
# Setting up a studio (its name, community, host, address, in service) is the bureau's.
rules.add_perm("alliance.add_mediationstudio", is_bureau_staff)
rules.add_perm("alliance.view_community", is_signed_in)
rules.add_perm("alliance.export_coordination", is_signed_in)

# The alliance registry and annual targets.
rules.add_perm("alliance.view_alliancemembership", is_signed_in)
rules.add_perm("alliance.change_alliancemembership", is_bureau_staff)
rules.add_perm("alliance.view_annualtarget", is_signed_in)
rules.add_perm("alliance.change_annualtarget", is_bureau_staff)

# The landing page /alliance/: the alliance in figures, for everybody signed in.
rules.add_perm("alliance.view_overview", is_signed_in)

# Documents (制度与通知): reading is scoped by alliance.selectors.documents_for (404 outside);
# the bureau publishes and sees who has not read; an addressed secretary marks read and replies.


@rules.predicate
def reads_documents(user) -> bool:
    if not is_signed_in(user):
        return False
    if user.is_bureau_staff or user.is_viewer or user.is_supervisor:
        return True
    return bool(user.is_secretary or user.is_liaison)


@rules.predicate
def secretary_with_organization(user) -> bool:
    return bool(is_secretary(user) and user.organization_id)


rules.add_perm("alliance.view_document", reads_documents)
rules.add_perm("alliance.add_document", is_bureau_staff)
rules.add_perm("alliance.view_document_readers", is_bureau_staff)
rules.add_perm("alliance.read_document", secretary_with_organization)
