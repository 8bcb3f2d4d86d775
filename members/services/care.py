"""Writes of care (走访慰问): care flags and visits. The member's secretary or bureau staff."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import save_with_action
from members.models import CareFlag, CareFlagKind, CareVisit, Member, VisitKind
from members.services.common import MemberError, _full_clean


def may_care_for(user, member: Member) -> bool:
    """The rule the care pages ask ("members.care_for_member")."""
    return bool(user is not None and user.has_perm("members.care_for_member", member))


@transaction.atomic
def care_flag_add(
    *, member: Member, kind: str, since: datetime.date, note: str = "", acting_user
) -> CareFlag:
    """Flag a member for care (独居, 患病/住院, …) from a day."""
    if not may_care_for(acting_user, member):
        raise MemberError(_("You may not record care for this member."))
    if kind not in CareFlagKind.values:
        raise MemberError(errors={"kind": [_("Choose a care flag.")]})
    if since > timezone.localdate():
        raise MemberError(errors={"since": [_("The start cannot be in the future.")]})
    if CareFlag.objects.filter(member=member, kind=kind, until__isnull=True).exists():
        raise MemberError(errors={"kind": [_("The member already has this care flag.")]})
    flag = CareFlag(
        member=member, kind=kind, since=since, note=note.strip(), recorded_by=acting_user
    )
    _full_clean(flag, exclude=["member", "recorded_by"], validate_constraints=False)
    save_with_action(flag, "members.care_flag.add")
    return flag


@transaction.atomic
def care_flag_end(*, flag: CareFlag, until: datetime.date | None = None, acting_user) -> CareFlag:
    """The reason has passed (back home from hospital…): the flag stays in the history."""
    if not may_care_for(acting_user, flag.member):
        raise MemberError(_("You may not record care for this member."))
    if flag.until is not None:
        raise MemberError(_("This care flag has already ended."))
    flag.until = until or timezone.localdate()
    _full_clean(flag, exclude=["member", "recorded_by"], validate_constraints=False)
    save_with_action(flag, "members.care_flag.end", update_fields=["until"])
    return flag


@transaction.atomic
def care_visit_record(
    *,
    member: Member,
    kind: str,
    visitors: str,
    visited_on: datetime.date | None = None,
    gifts: str = "",
    gift_value: Decimal | int | str = 0,
    needs: str = "",
    follow_up: str = "",
    follow_up_due: datetime.date | None = None,
    acting_user,
) -> CareVisit:
    """Record a visit (走访慰问) in the organization that holds the member's relation."""
    if not may_care_for(acting_user, member):
        raise MemberError(_("You may not record care for this member."))
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise MemberError(errors={"visited_on": [_("A visit cannot be recorded in advance.")]})
    if kind not in VisitKind.values:
        raise MemberError(errors={"kind": [_("Choose the kind of visit.")]})
    if not (visitors or "").strip():
        raise MemberError(errors={"visitors": [_("Say who went.")]})
    try:
        value = Decimal(str(gift_value or 0))
    except ArithmeticError as exc:
        raise MemberError(errors={"gift_value": [_("Enter the value in yuan.")]}) from exc
    visit = CareVisit(
        member=member,
        organization_id=member.organization_id,
        visited_on=visited_on,
        kind=kind,
        visitors=visitors.strip(),
        gifts=gifts.strip(),
        gift_value=value,
        needs=needs.strip(),
        follow_up=follow_up.strip(),
        follow_up_due=follow_up_due,
        recorded_by=acting_user,
    )
    _full_clean(visit, exclude=["member", "organization", "recorded_by"])
    visit.save()  # a visit is never changed afterwards; recorded_by/at say who and when
    return visit
