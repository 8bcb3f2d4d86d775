"""The alliance registry (who is in the alliance, in which hub) and the annual targets."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from alliance.models import AllianceMembership, AllianceRole, AnnualTarget
from branches.models import Organization, Status
from branches.signals import organization_dissolved
from core.history import save_with_action, update_with_action

# --- The alliance registry ----------------------------------------------------------------


@transaction.atomic
def alliance_join(
    *,
    organization: Organization,
    acting_user,
    joined_on: datetime.date,
    hub: str,
    role: str = AllianceRole.MEMBER,
) -> AllianceMembership:
    if AllianceMembership.objects.filter(organization=organization, left_on__isnull=True).exists():
        raise ValidationError({"organization": _("This organization is already in the alliance.")})
    if organization.status != Status.ACTIVE:
        raise ValidationError({"organization": _("A dissolved organization cannot join.")})
    membership = AllianceMembership(
        organization=organization, joined_on=joined_on, hub=hub, role=role
    )
    membership.full_clean()
    save_with_action(membership, "alliance.membership.join")
    return membership


@transaction.atomic
def alliance_leave(
    *, membership: AllianceMembership, acting_user, left_on: datetime.date
) -> AllianceMembership:
    membership = AllianceMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on:
        raise ValidationError({"left_on": _("This organization has already left the alliance.")})
    membership.left_on = left_on
    membership.full_clean()
    save_with_action(membership, "alliance.membership.leave")
    return membership


@transaction.atomic
def annual_target_save(*, acting_user, year: int, **fields: Any) -> AnnualTarget:
    target = AnnualTarget.objects.filter(year=year).first() or AnnualTarget(year=year)
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    save_with_action(target, "alliance.annualtarget.save")
    return target


@receiver(organization_dissolved, dispatch_uid="alliance_membership_ends_on_dissolution")
def _organization_dissolved(sender, organization, dissolved_on, acting_user, **kwargs) -> None:
    """A dissolved organization leaves the alliance on the day it was dissolved (same
    transaction as the dissolution)."""
    update_with_action(
        AllianceMembership.objects.filter(organization=organization, left_on__isnull=True),
        "alliance.membership.end_on_dissolution",
        left_on=dissolved_on,
    )
