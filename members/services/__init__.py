"""Every write to the roster: members, transfers, participations, commendations, 到社区报到.

Keyword-only, atomic, validated with full_clean() before save(); problems raise MemberError
with a translatable message (and, for field problems, the per-field messages in `.errors`).
Member changes are audited by django-simple-history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Category, Community, Organization
from core.history import save_with_action
from core.permissions import is_bureau_staff, organization_in_scope
from members.models import (
    RELATION_KINDS,
    Commendation,
    Member,
    MemberStatus,
    Participation,
    Skill,
    Transfer,
    TransferState,
)
from members.services.common import MemberError, _full_clean, may_change_member

MEMBER_FIELDS = frozenset(
    {
        "name",
        "gender",
        "ethnicity",
        "id_number",
        "birth_date",
        "education",
        "joined_party_on",
        "confirmed_on",
        "category",
        "former_unit",
        "former_post",
        "phone",
        "address",
        "party_standing",
        "lost_contact",
        "lost_contact_since",
        "is_mobile",
        "mobile_to",
        "health",
        "willing_to_volunteer",
        "status",
        "registered_community",
        "registered_on",
    }
)


def _check_relation_organization(user, organization: Organization | None) -> None:
    if organization is None:
        raise MemberError(errors={"organization": [_("Choose the member's organization.")]})
    if organization.kind not in RELATION_KINDS or not organization.is_active:
        raise MemberError(
            errors={
                "organization": [
                    _("A member's relation is held by an active branch or general branch.")
                ]
            }
        )
    if not is_bureau_staff(user) and not (
        getattr(user, "is_secretary", False) and organization_in_scope(user, organization)
    ):
        raise MemberError(
            errors={"organization": [_("You may only keep members of your own organizations.")]}
        )


def _set_skills(member: Member, skills: Iterable[Skill | str] | None) -> None:
    if skills is None:
        return
    names = [s.name if isinstance(s, Skill) else str(s) for s in skills]
    member.skills.set(Skill.objects.filter(name__in=names))


@transaction.atomic
def member_create(
    *,
    acting_user,
    organization: Organization,
    skills: Iterable[Skill | str] | None = None,
    **fields,
) -> Member:
    """Add a member to the roster (name initials are set on save)."""
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    _check_relation_organization(acting_user, organization)
    member = Member(organization=organization, **fields)
    _full_clean(member)
    try:
        with transaction.atomic():
            save_with_action(member, "members.member.create")
    except IntegrityError as exc:
        raise MemberError(
            errors={"id_number": [_("A member with this ID number is already on the roster.")]}
        ) from exc
    _set_skills(member, skills)
    return member


@transaction.atomic
def member_update(
    *,
    member: Member,
    acting_user,
    skills: Iterable[Skill | str] | None = None,
    action: str = "members.member.update",
    **fields,
) -> Member:
    """Change a member's record. The organization relation only moves through a transfer."""
    if not may_change_member(acting_user, member):
        raise MemberError(_("You may not change this member."))
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(member, name, value)
    _full_clean(member)
    save_with_action(member, action)
    _set_skills(member, skills)
    return member


@transaction.atomic
def member_register_community(
    *, member: Member, community: Community, registered_on: datetime.date | None = None, acting_user
) -> Member:
    """到社区报到: record the community where the member registered, and when."""
    return member_update(
        member=member,
        acting_user=acting_user,
        registered_community=community,
        registered_on=registered_on or timezone.localdate(),
        action="members.member.register_community",
    )


# --- Transfers ----------------------------------------------------------------------------


@transaction.atomic
def member_transfer_request(
    *, member: Member, to_organization: Organization, reason: str, acting_user
) -> Transfer:
    """Ask to move the member's relation (by the member's secretary or bureau staff)."""
    if not may_change_member(acting_user, member):
        raise MemberError(_("You may not request a transfer for this member."))
    if member.status != MemberStatus.NORMAL:
        raise MemberError(_("Only a member with normal status can be transferred."))
    if to_organization.pk == member.organization_id:
        raise MemberError(_("The member's relation is already in this organization."))
    if to_organization.kind not in RELATION_KINDS or not to_organization.is_active:
        raise MemberError(_("A member's relation is held by an active branch or general branch."))
    if not (reason or "").strip():
        raise MemberError(_("Give the reason for the transfer."))
    if Transfer.objects.filter(
        member=member, state__in=[TransferState.REQUESTED, TransferState.APPROVED]
    ).exists():
        raise MemberError(_("This member already has a transfer in progress."))
    transfer = Transfer(
        member=member,
        from_organization_id=member.organization_id,
        to_organization=to_organization,
        reason=reason.strip(),
        requested_by=acting_user,
    )
    _full_clean(transfer, exclude=["requested_by"], validate_constraints=False)
    transfer.save()
    return transfer


def _lock(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().select_related("member").get(pk=transfer.pk)


@transaction.atomic
def member_transfer_approve(*, transfer: Transfer, acting_user) -> Transfer:
    """Bureau staff approve a requested transfer (审核)."""
    if not acting_user.has_perm("members.approve_transfer"):
        raise MemberError(_("Only bureau staff approve transfers."))
    transfer = _lock(transfer)
    if transfer.state != TransferState.REQUESTED:
        raise MemberError(_("Only a requested transfer can be approved."))
    transfer.state = TransferState.APPROVED
    transfer.decided_by = acting_user
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "decided_by", "decided_at"])
    return transfer


@transaction.atomic
def member_transfer_complete(
    *, transfer: Transfer, acting_user, completed_on: datetime.date | None = None
) -> Transfer:
    """Finish an approved transfer: the member's relation moves; the transfer stays as history."""
    if not acting_user.has_perm("members.approve_transfer"):
        raise MemberError(_("Only bureau staff complete transfers."))
    transfer = _lock(transfer)
    if transfer.state != TransferState.APPROVED:
        raise MemberError(_("Only an approved transfer can be completed."))
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    if member.organization_id != transfer.from_organization_id:
        raise MemberError(_("The member's relation has moved since the request."))
    member.organization_id = transfer.to_organization_id
    save_with_action(
        member, "members.member.transfer", update_fields=["organization", "updated_at"]
    )
    transfer.state = TransferState.COMPLETED
    transfer.completed_on = completed_on or timezone.localdate()
    transfer.save(update_fields=["state", "completed_on"])
    return transfer


@transaction.atomic
def member_transfer_return(*, transfer: Transfer, acting_user, reason: str) -> Transfer:
    """Send a transfer back (退回) with a reason; the relation stays where it was."""
    if not acting_user.has_perm("members.approve_transfer"):
        raise MemberError(_("Only bureau staff return transfers."))
    if not (reason or "").strip():
        raise MemberError(_("Give the reason for returning the transfer."))
    transfer = _lock(transfer)
    if transfer.state not in (TransferState.REQUESTED, TransferState.APPROVED):
        raise MemberError(_("This transfer is already finished."))
    transfer.state = TransferState.RETURNED
    transfer.return_reason = reason.strip()
    transfer.decided_by = acting_user
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "return_reason", "decided_by", "decided_at"])
    return transfer


# --- Participations and commendations -----------------------------------------------------


@transaction.atomic
def participation_add(
    *,
    member: Member,
    organization: Organization,
    acting_user,
    role: str = "",
    joined_on: datetime.date | None = None,
) -> Participation:
    """The member takes part in a three-affinity group; the relation does not move."""
    if not may_change_member(acting_user, member) and not (
        getattr(acting_user, "is_secretary", False)
        and organization_in_scope(acting_user, organization)
    ):
        raise MemberError(_("You may not change this member."))
    if organization.category != Category.THREE_AFFINITY or not organization.is_party:
        raise MemberError(_("Members take part only in three-affinity party organizations."))
    if not organization.is_active:
        raise MemberError(_("This organization has been dissolved."))
    if Participation.objects.filter(member=member, organization=organization).exists():
        raise MemberError(_("The member already takes part in this group."))
    participation = Participation(
        member=member,
        organization=organization,
        role=role.strip(),
        joined_on=joined_on or timezone.localdate(),
    )
    _full_clean(participation, validate_constraints=False)
    participation.save()
    return participation


@transaction.atomic
def participation_end(
    *, participation: Participation, acting_user, left_on: datetime.date | None = None
) -> Participation:
    if not may_change_member(acting_user, participation.member):
        raise MemberError(_("You may not change this member."))
    participation.left_on = left_on or timezone.localdate()
    participation.save(update_fields=["left_on"])
    return participation


@transaction.atomic
def commendation_add(
    *, member: Member, title: str, year: int, awarded_by: str, acting_user
) -> Commendation:
    """表彰: record a commendation (title, year, by whom)."""
    if not may_change_member(acting_user, member):
        raise MemberError(_("You may not change this member."))
    if year > timezone.localdate().year or year < 1921:
        raise MemberError(errors={"year": [_("Give a year between 1921 and this year.")]})
    commendation = Commendation(
        member=member, title=title.strip(), year=year, awarded_by=awarded_by.strip()
    )
    _full_clean(commendation)
    commendation.save()
    return commendation


# The rooms of care, dues and organizations' commendations (split by sub-domain).
from members.services.care import (  # noqa: E402, F401
    care_flag_add,
    care_flag_end,
    care_visit_record,
)
from members.services.dues import (  # noqa: E402, F401
    dues_base_set,
    dues_payment_record,
    dues_rebase,
    dues_rebase_preview,
)
from members.services.organizations import (  # noqa: E402, F401
    organization_commendation_add,
    participation_set_leader,
)
