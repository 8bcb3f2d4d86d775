"""Writes of organizations' commendations and of the two leaders (两个带头人)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from members.models import CommendationLevel, LeaderRole, OrganizationCommendation, Participation
from members.services.common import MemberError, _full_clean, may_change_member


@transaction.atomic
def organization_commendation_add(
    *, organization: Organization, title: str, year: int, awarded_by: str, level: str, acting_user
) -> OrganizationCommendation:
    """先进基层党组织, 示范党支部, …: recorded by bureau staff."""
    if not acting_user.has_perm("members.add_organizationcommendation"):
        raise MemberError(_("Only bureau staff record commendations of organizations."))
    if year > timezone.localdate().year or year < 1921:
        raise MemberError(errors={"year": [_("Give a year between 1921 and this year.")]})
    if level not in CommendationLevel.values:
        raise MemberError(errors={"level": [_("Choose the level.")]})
    commendation = OrganizationCommendation(
        organization=organization,
        title=(title or "").strip(),
        year=year,
        awarded_by=(awarded_by or "").strip(),
        level=level,
        recorded_by=acting_user,
    )
    _full_clean(commendation, exclude=["organization", "recorded_by"])
    commendation.save()
    return commendation


@transaction.atomic
def participation_set_leader(
    *, participation: Participation, leader: str, acting_user
) -> Participation:
    """Flag (or unflag, with "") one of the two leaders of a group: 党组织书记 or 活动带头人."""
    if not may_change_member(acting_user, participation.member):
        raise MemberError(_("You may not change this member."))
    if leader and leader not in LeaderRole.values:
        raise MemberError(errors={"leader": [_("Choose the leader's role.")]})
    if participation.left_on is not None:
        raise MemberError(_("The participation has ended."))
    participation.leader = leader
    participation.save(update_fields=["leader"])
    return participation
