"""Demo QR sign-ins for `seed_demo` (after the activities step): in the demo secretary's
organization a meeting today (its sign-in open, the QR code on its page) and, in recent held
meetings, part of the present members marked as signed in by QR code or from the paper sheet.
Tokens are derived from the activity (nothing to seed). Idempotent."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from activities.models import Activity, ActivityType, Attendance, AttendanceSource, AttendanceStatus
from activities.services import activity_create
from core.actors import system_actor
from core.history import bulk_update_with_action

TODAY_TITLE = "支部党员大会：学习贯彻会议精神（扫码签到演示）"


def seed(*, context) -> None:
    out = context.stdout
    if Activity.objects.filter(title=TODAY_TITLE).exists():
        out.write("sign-in: already seeded, nothing to do")
        return
    rng = random.Random(20220901 + 4)
    secretary = context.users.get("secretary")
    organization = getattr(secretary, "organization", None)
    now = timezone.now().replace(second=0, microsecond=0)
    if organization is not None:
        start = now.replace(minute=0) - datetime.timedelta(hours=1)
        activity_create(
            type=ActivityType.GENERAL_MEETING,
            organization=organization,
            title=TODAY_TITLE,
            start=start,
            end=start + datetime.timedelta(hours=4),
            acting_user=system_actor(),
        )
    since = now - datetime.timedelta(days=60)
    rows = list(
        Attendance.objects.filter(
            status=AttendanceStatus.PRESENT, activity__start__gte=since, activity__start__lt=now
        )
        .select_related("activity")
        .order_by("pk")[: 400 * context.scale]
    )
    changed = []
    for row in rows:
        pick = rng.random()
        if pick < 0.5:
            row.source = AttendanceSource.QR_CODE
            row.signed_in_at = row.activity.start - datetime.timedelta(minutes=rng.randint(0, 30))
        elif pick < 0.7:
            row.source = AttendanceSource.PAPER
        else:
            continue
        changed.append(row)
    bulk_update_with_action(
        Attendance,
        changed,
        ["source", "signed_in_at"],
        "activities.attendance.demo_sign_in",
        acting_user=system_actor(),
    )
    out.write(f"sign-in: a meeting open for sign-in today, {len(changed)} sign-ins recorded")
