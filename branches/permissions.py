"""Who may do what with organizations, committees and the alliance registry (django-rules).

Reading is scoped first (branches.selectors.organizations_for): another organization's record
is a 404 before any rule is asked.
"""

from __future__ import annotations

import rules

from core.permissions import (
    is_bureau_staff,
    is_secretary,
    is_signed_in,
    is_supervisor,
    is_viewer,
    organization_in_scope,
    secretary_of_organization,
)


@rules.predicate
def organization_visible(user, organization=None) -> bool:
    if organization is None:
        return True
    if user.is_secretary:
        return organization_in_scope(user, organization)
    return True


@rules.predicate
def parent_in_secretary_scope(user, parent=None) -> bool:
    """A secretary adds organizations under their own organization or its subtree."""
    if parent is None:
        return True  # the form offers only parents in scope
    return organization_in_scope(user, parent)


rules.add_perm("branches.view_organization", is_signed_in & organization_visible)
rules.add_perm("branches.change_organization", is_bureau_staff | secretary_of_organization)
rules.add_perm(
    "branches.add_organization", is_bureau_staff | (is_secretary & parent_in_secretary_scope)
)
rules.add_perm("branches.dissolve_organization", is_bureau_staff)
rules.add_perm("branches.export_organization", is_signed_in)
rules.add_perm("branches.change_committee", is_bureau_staff | secretary_of_organization)
# Elections (branches.elections): asked of the election's organization. Its secretary (or
# bureau staff) plans and enters the result; bureau staff approve.
rules.add_perm("branches.view_election", is_signed_in & organization_visible)
rules.add_perm("branches.change_election", is_bureau_staff | secretary_of_organization)
rules.add_perm("branches.approve_election", is_bureau_staff)

# The funds ledger (经费保障): the organization is fetched through the scoped selector first
# (another organization's ledger is a 404 for a secretary); liaisons do not read ledgers.
rules.add_perm(
    "branches.view_funds",
    is_signed_in & (is_bureau_staff | is_viewer | is_supervisor | secretary_of_organization),
)
rules.add_perm("branches.change_funds", is_bureau_staff | secretary_of_organization)
rules.add_perm(
    "branches.view_funds_overview", is_bureau_staff | is_viewer | is_supervisor | is_secretary
)
rules.add_perm("branches.export_funds", is_bureau_staff | is_viewer | is_supervisor | is_secretary)
