"""Writes of party dues (党费): the yearly base, payments, and the yearly rebasing.

Amounts are Decimal 元 with two places; the rule lives in members.models.dues_by_rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import bulk_create_with_action, save_with_action
from members.models import (
    FEN,
    DuesBase,
    DuesMode,
    DuesPayment,
    Member,
    MemberStatus,
)
from members.services.common import MemberError, _full_clean


def may_keep_dues(user, member: Member) -> bool:
    return bool(user is not None and user.has_perm("members.keep_dues", member))


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise MemberError(errors={field: [_("Enter an amount in yuan, e.g. 3500.00.")]}) from exc
    if amount < 0:
        raise MemberError(errors={field: [_("An amount cannot be negative.")]})
    return amount


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not (2000 <= year <= this_year + 1):
        raise MemberError(errors={"year": [_("Give a year between 2000 and next year.")]})


@transaction.atomic
def dues_base_set(
    *,
    member: Member,
    year: int,
    monthly_base,
    mode: str = DuesMode.STANDARD,
    flat_amount=None,
    reason: str = "",
    approved_by: str = "",
    acting_user,
) -> DuesBase:
    """Enter (or correct) a member's dues base for a year; an exemption or a reduction needs
    the reason and who approved it."""
    if not may_keep_dues(acting_user, member):
        raise MemberError(_("You may not keep the dues of this member."))
    _check_year(year)
    base = DuesBase.objects.select_for_update().filter(member=member, year=year).first()
    action = "members.dues_base.change"
    if base is None:
        base = DuesBase(member=member, year=year, entered_by=acting_user)
        action = "members.dues_base.set"
    base.monthly_base = _money(monthly_base, "monthly_base")
    base.mode = mode
    base.flat_amount = (
        _money(flat_amount, "flat_amount")
        if mode == DuesMode.REDUCED and flat_amount not in (None, "")
        else None
    )
    base.reason = (reason or "").strip() if mode != DuesMode.STANDARD else ""
    base.approved_by = (approved_by or "").strip() if mode != DuesMode.STANDARD else ""
    _full_clean(base, exclude=["member", "entered_by"], validate_constraints=False)
    save_with_action(base, action)
    return base


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def covered_months(member_id: int) -> set[int]:
    """Month indexes (year*12 + month-1) the member's payments cover."""
    covered: set[int] = set()
    for first, months in DuesPayment.objects.filter(member_id=member_id).values_list(
        "first_month", "months"
    ):
        start = _month_index(first.year, first.month)
        covered.update(range(start, start + months))
    return covered


@transaction.atomic
def dues_payment_record(
    *,
    member: Member,
    first_month: datetime.date,
    months: int,
    amount,
    paid_on: datetime.date | None = None,
    collected_by: str,
    receipt_number: str,
    acting_user,
) -> DuesPayment:
    """A payment for `months` months from `first_month`, late or in advance. The amount is at
    least the dues of those months (by each year's base); a month paid twice is refused."""
    if not may_keep_dues(acting_user, member):
        raise MemberError(_("You may not keep the dues of this member."))
    Member.objects.select_for_update().filter(pk=member.pk).first()  # one payment at a time
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise MemberError(errors={"paid_on": [_("The payment day cannot be in the future.")]})
    if not 1 <= int(months) <= 24:
        raise MemberError(errors={"months": [_("Pay for 1 to 24 months at a time.")]})
    first_month = first_month.replace(day=1)
    amount = _money(amount, "amount")
    start = _month_index(first_month.year, first_month.month)
    wanted = range(start, start + int(months))
    twice = sorted(set(wanted) & covered_months(member.pk))
    if twice:
        year, month = divmod(twice[0], 12)
        raise MemberError(
            errors={
                "first_month": [
                    _("%(month)s is already paid for.") % {"month": f"{year}-{month + 1:02d}"}
                ]
            }
        )
    bases = {
        b.year: b
        for b in DuesBase.objects.filter(member=member, year__in={divmod(i, 12)[0] for i in wanted})
    }
    due = Decimal("0.00")
    for index in wanted:
        year = divmod(index, 12)[0]
        if year not in bases:
            raise MemberError(
                errors={
                    "first_month": [
                        _("Enter the member's dues base for %(year)s first.") % {"year": year}
                    ]
                }
            )
        due += bases[year].monthly_dues
    if amount < due:
        raise MemberError(
            errors={
                "amount": [
                    _("The dues for these months are %(due)s yuan; %(amount)s is less.")
                    % {"due": f"{due:.2f}", "amount": f"{amount:.2f}"}
                ]
            }
        )
    if not (collected_by or "").strip():
        raise MemberError(errors={"collected_by": [_("Say who collected the dues.")]})
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        raise MemberError(errors={"receipt_number": [_("Give the receipt number.")]})
    payment = DuesPayment(
        member=member,
        organization_id=member.organization_id,
        first_month=first_month,
        months=int(months),
        amount=amount,
        paid_on=paid_on,
        collected_by=collected_by.strip(),
        receipt_number=receipt_number,
        recorded_by=acting_user,
    )
    _full_clean(payment, exclude=["member", "organization", "recorded_by", "receipt_number"])
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError as exc:
        raise MemberError(
            errors={"receipt_number": [_("This receipt number is already used.")]}
        ) from exc
    return payment


# --- Yearly rebasing ---------------------------------------------------------------------------


@dataclass
class RebaseLine:
    member: Member
    old: DuesBase
    new_base: Decimal
    new_dues: Decimal
    skipped: bool  # the member already has a base for the new year


def _raised(base: Decimal, percent: Decimal) -> Decimal:
    return (base * (1 + percent / 100)).quantize(FEN, rounding=ROUND_HALF_UP)


def dues_rebase_preview(
    *, members: Iterable[Member], from_year: int, percent, acting_user
) -> list[RebaseLine]:
    """What `dues_rebase` would write: each member's base of `from_year` raised by `percent`
    (the year's pension rise), the new monthly dues, and who already has a new base. Three
    queries whatever the number of members; nothing written."""
    try:
        percent = Decimal(str(percent))
    except (InvalidOperation, ValueError) as exc:
        raise MemberError(errors={"percent": [_("Enter the rise in percent, e.g. 3.8.")]}) from exc
    if not Decimal("-50") <= percent <= Decimal("50"):
        raise MemberError(errors={"percent": [_("A rise between -50% and 50%.")]})
    member_ids = [m.pk for m in members if m.status == MemberStatus.NORMAL]
    old = {
        b.member_id: b
        for b in DuesBase.objects.filter(member_id__in=member_ids, year=from_year).select_related(
            "member"
        )
    }
    already = set(
        DuesBase.objects.filter(member_id__in=member_ids, year=from_year + 1).values_list(
            "member_id", flat=True
        )
    )
    lines = []
    for member_id in member_ids:
        base = old.get(member_id)
        if base is None:
            continue
        new_base = _raised(base.monthly_base, percent)
        probe = DuesBase(monthly_base=new_base, mode=base.mode, flat_amount=base.flat_amount)
        lines.append(
            RebaseLine(
                member=base.member,
                old=base,
                new_base=new_base,
                new_dues=probe.monthly_dues,
                skipped=member_id in already,
            )
        )
    lines.sort(key=lambda line: (line.member.name, line.member.pk))
    return lines


@transaction.atomic
def dues_rebase(
    *, members: Iterable[Member], from_year: int, percent, acting_user
) -> list[DuesBase]:
    """The yearly rebasing in one step: the preview's lines written at once (bulk, with one
    history row each); exemptions and reductions carry over with their reason and approver."""
    if not acting_user.has_perm("members.rebase_dues"):
        raise MemberError(_("Only bureau staff rebase the dues."))
    members = list(members)
    for member in members:
        if not may_keep_dues(acting_user, member):
            raise MemberError(_("You may not keep the dues of %(name)s.") % {"name": member})
    lines = dues_rebase_preview(
        members=members, from_year=from_year, percent=percent, acting_user=acting_user
    )
    _check_year(from_year + 1)
    new = [
        DuesBase(
            member=line.member,
            year=from_year + 1,
            monthly_base=line.new_base,
            mode=line.old.mode,
            flat_amount=line.old.flat_amount,
            reason=line.old.reason,
            approved_by=line.old.approved_by,
            entered_by=acting_user,
        )
        for line in lines
        if not line.skipped
    ]
    if not new:
        raise MemberError(_("There is nothing to rebase: every member already has a base."))
    return bulk_create_with_action(
        DuesBase, new, "members.dues_base.rebase", acting_user=acting_user
    )
