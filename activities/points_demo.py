"""Demo volunteer points (红色积分) for `seed_demo` (after the activities step): the bureau's rule
(10 points an hour, at most 40 an activity, since 2020), the points the demo volunteer hours
earn by it (points_sync: bulk), and exchanges by one member in ten with a balance, each within
the balance. Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from activities.models import PointsEntry, PointsEntryKind, PointsRule
from activities.services.points import points_sync

EXCHANGES = (
    ("理发服务", Decimal("20")),
    ("保温杯", Decimal("30")),
    ("家政保洁服务 2 小时", Decimal("60")),
    ("体检套餐", Decimal("100")),
    ("书法字帖", Decimal("15")),
)


def seed(*, context) -> None:
    out = context.stdout
    if PointsRule.objects.exists():
        out.write("points: already seeded, nothing to do")
        return
    actor = context.users.get("bureau")
    if actor is None:
        out.write("points: no demo bureau account; skipped")
        return
    rng = context.rng
    PointsRule.objects.create(
        points_per_hour=Decimal("10"),
        cap_per_activity=Decimal("40"),
        effective_from=datetime.date(2020, 1, 1),
        set_by=actor,
    )
    earned = points_sync(acting_user=actor)
    today = timezone.localdate()
    balances = (
        PointsEntry.objects.values("member_id").annotate(total=Sum("points")).order_by("member_id")
    )
    exchanges = []
    for row in balances:
        if rng.random() >= 0.1:
            continue
        what, price = rng.choice(EXCHANGES)
        if price <= row["total"]:
            exchanges.append(
                PointsEntry(
                    member_id=row["member_id"],
                    kind=PointsEntryKind.EXCHANGED,
                    points=-price,
                    day=today - datetime.timedelta(days=rng.randint(0, 300)),
                    exchanged_for=what,
                    recorded_by=actor,
                )
            )
    PointsEntry.objects.bulk_create(exchanges, batch_size=2000)
    out.write(f"points: {earned} lines earned from the volunteer hours, {len(exchanges)} exchanges")
