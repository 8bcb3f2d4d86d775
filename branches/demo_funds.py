"""Demo data of the funds ledger (经费保障): for the branches of the tree, allocations from the
bureau, their department or community this year and last, spending by category, a budget and
one correction by a reversing entry. Deterministic (context.rng), idempotent (skips
organizations that already keep a ledger)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from branches.funds import allocation_record, budget_set, entry_reverse, expense_record
from branches.models import ExpenseCategory, FundEntry, Kind, Organization, Status
from core.actors import system_actor

PAYEES = {
    "activities": "红色教育基地",
    "study": "新华书店",
    "care": "社区卫生服务站",
    "venue": "党群活动服务中心",
    "other": "文具店",
}


def seed(*, context) -> None:
    rng = context.rng
    actor = system_actor()
    today = timezone.localdate()
    branches = list(
        Organization.objects.filter(kind=Kind.BRANCH, status=Status.ACTIVE)
        .exclude(pk__in=FundEntry.objects.values("organization"))
        .order_by("path")
    )
    created = 0
    for index, organization in enumerate(branches):
        if index % 4 == 3:  # a quarter keep no ledger: 经费有保障 stays unmet for them
            continue
        source = "department" if organization.department_id else "bureau"
        for year in (today.year - 1, today.year):
            day = datetime.date(year, 3, rng.randint(1, 28))
            if day > today:
                day = today
            amount = Decimal(rng.choice([2000, 3000, 5000, 8000]))
            allocation_record(
                organization=organization,
                acting_user=actor,
                date=day,
                amount=amount,
                source=source,
                payee="市委老干部局" if source == "bureau" else str(organization.department),
            )
            budget_set(organization=organization, acting_user=actor, year=year, amount=amount)
            expense = None
            for _n in range(rng.randint(2, 5)):
                category = rng.choice(ExpenseCategory.values)
                spent_on = day + datetime.timedelta(days=rng.randint(1, 200))
                if spent_on > today:
                    continue
                expense = expense_record(
                    organization=organization,
                    acting_user=actor,
                    date=spent_on,
                    amount=Decimal(rng.randint(50, 600)) + Decimal("0.50"),
                    category=category,
                    payee=PAYEES[category],
                )
                created += 1
            if index % 10 == 0 and year == today.year and expense is not None:
                entry_reverse(entry=expense, acting_user=actor, reason="金额录入有误，冲销更正")
        created += 2
    context.stdout.write(f"branches: {created} funds ledger entries created")
