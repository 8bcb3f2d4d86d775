"""Roster rules (django-rules). Reading is scoped by members.selectors first (404)."""

from __future__ import annotations

import rules

from core.permissions import (
    is_bureau_staff,
    is_liaison,
    is_secretary,
    is_supervisor,
    is_viewer,
    organization_in_scope,
)


@rules.predicate
def secretary_of_member(user, member=None) -> bool:
    """A secretary; for a given member, the secretary of its organization (or above it)."""
    if not is_secretary(user):
        return False
    if member is None:
        return True
    return organization_in_scope(user, member.organization)


can_read = is_bureau_staff | is_secretary | is_supervisor | is_viewer | is_liaison

rules.add_perm("members.view_member", can_read)
rules.add_perm("members.add_member", is_bureau_staff | is_secretary)
rules.add_perm("members.change_member", is_bureau_staff | secretary_of_member)
rules.add_perm("members.import_member", is_bureau_staff | is_secretary)
rules.add_perm("members.export_member", can_read)
rules.add_perm("members.export_unmasked", is_bureau_staff)
rules.add_perm("members.request_transfer", is_bureau_staff | secretary_of_member)
rules.add_perm("members.approve_transfer", is_bureau_staff)
rules.add_perm("members.view_transfer", is_bureau_staff | is_secretary)

# Care (走访慰问) and dues (党费): lists for everyone who reads the roster but liaisons (the
# personal figures and care flags in them are masked but for staff and the member's secretary:
# members.selectors.care.may_see_care_flags, members.selectors.dues.may_see_dues_amounts).
can_read_care = is_bureau_staff | is_secretary | is_supervisor | is_viewer
rules.add_perm("members.view_care", can_read_care)
rules.add_perm("members.care_for_member", is_bureau_staff | secretary_of_member)
rules.add_perm("members.export_care", can_read_care)
rules.add_perm("members.view_dues", can_read_care)
rules.add_perm("members.keep_dues", is_bureau_staff | secretary_of_member)
# Rebasing writes next year's base of every member at once, after the city's pension rise: the
# bureau's act (a secretary enters or corrects one member's base on the member's page).
rules.add_perm("members.rebase_dues", is_bureau_staff)
rules.add_perm("members.export_dues", can_read_care)
rules.add_perm("members.add_organizationcommendation", is_bureau_staff)
