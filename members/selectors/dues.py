"""Reads of party dues (党费), scoped to the user: an organization's monthly ledger, arrears."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from branches.models import in_subtree
from core.permissions import is_bureau_staff, organization_in_scope
from members.models import DuesBase, DuesPayment, Member, MemberStatus
from members.selectors import members_for

ZERO = Decimal("0.00")


def may_see_dues_amounts(user, member: Member | None = None) -> bool:
    """Bases and amounts (personal figures) in full for bureau staff and the member's secretary;
    masked for everyone else."""
    if is_bureau_staff(user):
        return True
    if member is None:
        return False
    return bool(
        getattr(user, "is_secretary", False) and organization_in_scope(user, member.organization)
    )


def payments_for(user) -> QuerySet[DuesPayment]:
    return DuesPayment.objects.filter(member__in=members_for(user)).select_related(
        "member", "organization"
    )


def get_payment_for(user, pk) -> DuesPayment:
    payment = payments_for(user).filter(pk=pk).first()
    if payment is None:
        raise Http404
    return payment


@dataclass
class DuesLine:
    """One member's year in the ledger."""

    member: Member
    base: DuesBase | None
    monthly: Decimal
    paid_months: set[int] = field(default_factory=set)  # 1..12 of this year
    paid_total: Decimal = ZERO
    arrears_months: list[int] = field(default_factory=list)  # months before the cut-off

    @property
    def arrears(self) -> Decimal:
        return self.monthly * len(self.arrears_months)

    @property
    def months(self) -> list[tuple[int, bool, bool]]:
        """(month, paid, in arrears) for the twelve columns."""
        return [(m, m in self.paid_months, m in self.arrears_months) for m in range(1, 13)]


def _cutoff(year: int, as_of: datetime.date) -> int:
    """Months of `year` that are past on `as_of` (the current month is not yet in arrears)."""
    if year < as_of.year:
        return 12
    if year > as_of.year:
        return 0
    return as_of.month - 1


def dues_lines(members, *, year: int, as_of: datetime.date) -> list[DuesLine]:
    """The ledger lines of `members` for `year`: two queries besides the members'."""
    members = list(members)
    ids = [m.pk for m in members]
    bases = {b.member_id: b for b in DuesBase.objects.filter(member_id__in=ids, year=year)}
    year_start = datetime.date(year, 1, 1)
    paid: dict[int, set[int]] = {}
    totals: dict[int, Decimal] = {}
    payments = DuesPayment.objects.filter(
        member_id__in=ids,
        first_month__lte=datetime.date(year, 12, 31),
        first_month__gte=datetime.date(year - 2, 1, 1),
    ).values_list("member_id", "first_month", "months", "amount", "paid_on")
    for member_id, first, months, amount, paid_on in payments:
        covered = {(first.year * 12 + first.month - 1 + i) for i in range(months)}
        paid.setdefault(member_id, set()).update(
            index - year * 12 + 1 for index in covered if index // 12 == year
        )
        if paid_on >= year_start and paid_on.year == year:
            totals[member_id] = totals.get(member_id, ZERO) + amount
    cutoff = _cutoff(year, as_of)
    lines = []
    for member in members:
        base = bases.get(member.pk)
        monthly = base.monthly_dues if base else ZERO
        months_paid = paid.get(member.pk, set())
        arrears = (
            [m for m in range(1, cutoff + 1) if m not in months_paid and monthly > 0]
            if base
            else []
        )
        lines.append(
            DuesLine(
                member=member,
                base=base,
                monthly=monthly,
                paid_months=months_paid,
                paid_total=totals.get(member.pk, ZERO),
                arrears_months=arrears,
            )
        )
    return lines


def ledger_members(user, *, organization=None) -> QuerySet[Member]:
    members = members_for(user).filter(status=MemberStatus.NORMAL).select_related("organization")
    if organization is not None:
        members = members.filter(in_subtree(organization, "organization"))
    return members.order_by("organization__path", "name", "pk")


def arrears_of(member: Member, *, as_of: datetime.date) -> tuple[int, Decimal]:
    """(months, amount) the member owes on `as_of`, over every year with a base."""
    months, amount = 0, ZERO
    for year in DuesBase.objects.filter(member=member, year__lte=as_of.year).values_list(
        "year", flat=True
    ):
        line = dues_lines([member], year=year, as_of=as_of)[0]
        months += len(line.arrears_months)
        amount += line.arrears
    return months, amount


def members_in_arrears(user, *, year: int, as_of: datetime.date, organization=None):
    """Lines with arrears in `year`, per organization (for the arrears list and reminders)."""
    members = ledger_members(user, organization=organization).filter(Q(dues_bases__year=year))
    return [line for line in dues_lines(members, year=year, as_of=as_of) if line.arrears_months]
