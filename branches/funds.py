"""The funds ledger (经费保障): allocations received, spending by category, budgets.

Writes are keyword-only and atomic, check permissions and validate before saving; an entry is
never changed or deleted — a correction is a reversing entry. Reads are scoped to the user and
sum in SQL (balance, year summary, the bureau's overview), never row by row in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import (
    ExpenseCategory,
    FundBudget,
    FundEntry,
    FundKind,
    FundSource,
    Organization,
)
from branches.selectors import organizations_for
from core.errors import ServiceError
from core.history import save_with_action
from core.selectors import get_or_404
from core.uploads import RECEIPT_KINDS, check_upload, portal_file_name

MAX_RECEIPT_BYTES = 10 * 1024 * 1024
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


class FundsError(ServiceError):
    """A write of the funds ledger that cannot be done; the message is shown to the user."""


def _require(condition, message: str, field: str | None = None) -> None:
    if not condition:
        raise FundsError(message, field=field)


def _full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise FundsError.from_validation_error(exc) from exc


# --- Amounts in SQL ------------------------------------------------------------------------


def signed_amount(prefix: str = "") -> Case:
    """The entry's effect on the balance: + allocations, − spending, the other way round for a
    reversing entry."""
    p = f"{prefix}__" if prefix else ""
    return Case(
        When(
            Q(**{f"{p}kind": FundKind.ALLOCATION, f"{p}reverses__isnull": True})
            | Q(**{f"{p}kind": FundKind.EXPENSE, f"{p}reverses__isnull": False}),
            then=F(f"{p}amount"),
        ),
        default=-F(f"{p}amount"),
        output_field=MONEY,
    )


def _sum(expression, **conditions) -> Coalesce:
    return Coalesce(Sum(expression, filter=Q(**conditions) if conditions else None), ZERO)


def net_amount() -> Case:
    """The entry's own amount, negative when it reverses another (for sums per kind)."""
    return Case(
        When(reverses__isnull=False, then=-F("amount")), default=F("amount"), output_field=MONEY
    )


# --- Reads ---------------------------------------------------------------------------------


def entries_of(organization: Organization, *, year: int | None = None) -> QuerySet[FundEntry]:
    entries = FundEntry.objects.filter(organization=organization).select_related(
        "entered_by", "reverses", "reversal"
    )
    if year:
        entries = entries.filter(date__year=year)
    return entries.order_by("-date", "-pk")


def get_entry_for(user, organization: Organization, pk) -> FundEntry:
    """An entry of an organization the caller has already fetched through a scoped selector."""
    return get_or_404(FundEntry.objects.filter(organization=organization), pk)


@dataclass(frozen=True)
class YearSummary:
    year: int
    opening: Decimal  # balance on 1 January
    allocated: Decimal
    spent: Decimal
    closing: Decimal  # balance at the end of the year (or today)
    balance: Decimal  # balance today, every entry counted
    by_category: list  # (label, amount spent)
    by_source: list  # (label, amount received)
    budget: Decimal | None
    budget_share: float | None  # share of the budget spent


def year_summary(organization: Organization, year: int) -> YearSummary:
    """Balance, the year's allocations and spending by source and category, and the budget
    (three queries)."""
    entries = FundEntry.objects.filter(organization=organization).order_by()
    totals = entries.aggregate(
        balance=_sum(signed_amount()),
        opening=_sum(signed_amount(), date__lt=datetime.date(year, 1, 1)),
        allocated=_sum(net_amount(), kind=FundKind.ALLOCATION, date__year=year),
        spent=_sum(net_amount(), kind=FundKind.EXPENSE, date__year=year),
        **{
            f"cat_{value}": _sum(
                net_amount(), kind=FundKind.EXPENSE, category=value, date__year=year
            )
            for value in ExpenseCategory.values
        },
        **{
            f"src_{value}": _sum(
                net_amount(), kind=FundKind.ALLOCATION, source=value, date__year=year
            )
            for value in FundSource.values
        },
    )
    budget = (
        FundBudget.objects.filter(organization=organization, year=year)
        .values_list("amount", flat=True)
        .first()
    )
    share = float(totals["spent"] / budget) if budget else None
    return YearSummary(
        year=year,
        opening=totals["opening"],
        allocated=totals["allocated"],
        spent=totals["spent"],
        closing=totals["opening"] + totals["allocated"] - totals["spent"],
        balance=totals["balance"],
        by_category=[(label, totals[f"cat_{value}"]) for value, label in ExpenseCategory.choices],
        by_source=[(label, totals[f"src_{value}"]) for value, label in FundSource.choices],
        budget=budget,
        budget_share=share,
    )


def _entry_total(year: int, *conditions, signed: bool = False):
    entries = (
        FundEntry.objects.filter(*conditions, organization=OuterRef("pk"))
        .order_by()
        .values("organization")
    )
    if not signed:
        entries = entries.filter(date__year=year)
    total = entries.annotate(total=Sum(signed_amount() if signed else net_amount())).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def funds_overview_for(user, year: int) -> QuerySet[Organization]:
    """The bureau's overview: every visible organization with a ledger entry or a budget, with
    the year's allocations, spending, budget and today's balance (subqueries, no per-row
    query)."""
    with_ledger = Q(Exists(FundEntry.objects.filter(organization=OuterRef("pk")))) | Q(
        Exists(FundBudget.objects.filter(organization=OuterRef("pk"), year=year))
    )
    return (
        organizations_for(user)
        .filter(with_ledger)
        .annotate(
            allocated=_entry_total(year, Q(kind=FundKind.ALLOCATION)),
            spent=_entry_total(year, Q(kind=FundKind.EXPENSE)),
            balance=_entry_total(year, signed=True),
            budget=Subquery(
                FundBudget.objects.filter(organization=OuterRef("pk"), year=year).values("amount")[
                    :1
                ],
                output_field=MONEY,
            ),
        )
        .select_related("parent")
        .order_by("path")
    )


def overview_totals(user, year: int) -> dict:
    """The overview's totals over every visible organization, in one aggregate query."""
    entries = FundEntry.objects.filter(organization__in=organizations_for(user)).order_by()
    totals = entries.aggregate(
        allocated=_sum(net_amount(), kind=FundKind.ALLOCATION, date__year=year),
        spent=_sum(net_amount(), kind=FundKind.EXPENSE, date__year=year),
        balance=_sum(signed_amount()),
    )
    totals["budget"] = FundBudget.objects.filter(
        organization__in=organizations_for(user), year=year
    ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return totals


# --- Writes --------------------------------------------------------------------------------


def _check_may_enter(acting_user, organization: Organization) -> None:
    _require(
        acting_user.has_perm("branches.change_funds", organization),
        _("You may not keep this organization's funds ledger."),
    )


def _attach_receipt(entry: FundEntry, upload) -> None:
    try:
        checked = check_upload(upload, kinds=RECEIPT_KINDS, max_bytes=MAX_RECEIPT_BYTES)
    except ServiceError as exc:
        raise FundsError(exc.message, field="receipt") from exc
    entry.receipt_name = checked.original_name
    entry.receipt_type = checked.content_type
    entry.receipt_stored_name = portal_file_name(f"{entry.organization_id}", checked.extension)
    entry.receipt.save(entry.receipt_stored_name, upload, save=False)


def _check_date(date: datetime.date) -> None:
    _require(date <= timezone.localdate(), _("An entry cannot be dated in the future."), "date")


@transaction.atomic
def allocation_record(
    *,
    organization: Organization,
    acting_user,
    date: datetime.date,
    amount: Decimal,
    source: str,
    payee: str = "",
    note: str = "",
    receipt=None,
) -> FundEntry:
    """Money received (from the bureau, a department, the community…)."""
    _check_may_enter(acting_user, organization)
    _check_date(date)
    entry = FundEntry(
        organization=organization,
        kind=FundKind.ALLOCATION,
        source=source,
        date=date,
        amount=amount,
        payee=payee.strip(),
        note=note.strip(),
        entered_by=acting_user,
    )
    if receipt is not None:
        _attach_receipt(entry, receipt)
    _full_clean(entry)
    save_with_action(entry, "branches.fundentry.allocation")
    return entry


@transaction.atomic
def expense_record(
    *,
    organization: Organization,
    acting_user,
    date: datetime.date,
    amount: Decimal,
    category: str,
    payee: str,
    note: str = "",
    receipt=None,
) -> FundEntry:
    """Money spent, by category, with the payee and (ideally) a photo or PDF of the receipt."""
    _check_may_enter(acting_user, organization)
    _check_date(date)
    _require(bool(payee and payee.strip()), _("Name the payee."), "payee")
    entry = FundEntry(
        organization=organization,
        kind=FundKind.EXPENSE,
        category=category,
        date=date,
        amount=amount,
        payee=payee.strip(),
        note=note.strip(),
        entered_by=acting_user,
    )
    if receipt is not None:
        _attach_receipt(entry, receipt)
    _full_clean(entry)
    save_with_action(entry, "branches.fundentry.expense")
    return entry


@transaction.atomic
def entry_reverse(
    *, entry: FundEntry, acting_user, reason: str, date: datetime.date | None = None
) -> FundEntry:
    """A correction: a new entry that cancels `entry` (same kind and amount, the other way)."""
    entry = FundEntry.objects.select_for_update().get(pk=entry.pk)
    _check_may_enter(acting_user, entry.organization)
    _require(not entry.is_reversal, _("A reversing entry cannot itself be reversed."))
    _require(
        not FundEntry.objects.filter(reverses=entry).exists(),
        _("This entry has already been reversed."),
    )
    _require(bool(reason and reason.strip()), _("Give the reason for the correction."), "reason")
    date = date or timezone.localdate()
    _check_date(date)
    reversal = FundEntry(
        organization=entry.organization,
        kind=entry.kind,
        source=entry.source,
        category=entry.category,
        date=date,
        amount=entry.amount,
        payee=entry.payee,
        note=reason.strip()[:200],
        reverses=entry,
        entered_by=acting_user,
    )
    _full_clean(reversal, validate_constraints=False)
    try:
        with transaction.atomic():
            save_with_action(reversal, "branches.fundentry.reverse")
    except IntegrityError as exc:
        raise FundsError(_("This entry has already been reversed.")) from exc
    return reversal


@transaction.atomic
def budget_set(
    *, organization: Organization, acting_user, year: int, amount: Decimal
) -> FundBudget:
    _check_may_enter(acting_user, organization)
    _require(amount is not None and amount >= 0, _("A budget cannot be negative."), "amount")
    budget = (
        FundBudget.objects.select_for_update().filter(organization=organization, year=year).first()
    )
    if budget is None:
        budget = FundBudget(organization=organization, year=year)
    budget.amount = amount
    budget.set_by = acting_user
    _full_clean(budget, validate_constraints=False)
    save_with_action(budget, "branches.fundbudget.set")
    return budget
