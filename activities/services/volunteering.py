"""Writes of volunteering: the hours of a volunteering activity into the members' ledger."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityStatus, ActivityType, VolunteerHours
from activities.selectors import attendance_candidates
from activities.services.common import ActivityError, check_activity_scope, full_clean
from activities.services.points import points_sync
from core.history import bulk_create_with_action
from core.models import User


@transaction.atomic
def volunteer_hours_record(
    *, activity: Activity, hours: Mapping[int, Decimal | float | str], acting_user: User
) -> list[VolunteerHours]:
    """Hours per participant of a volunteering activity into the members' ledger."""
    check_activity_scope(acting_user, activity)
    if activity.type != ActivityType.VOLUNTEERING:
        raise ActivityError(_("Hours are recorded for volunteering activities only."))
    if activity.status != ActivityStatus.HELD:
        raise ActivityError(_("Record hours once the activity has been held."))
    # The accepted hosts' members the acting user may mark (a co-host's secretary: their own).
    expected = set(attendance_candidates(activity, acting_user).values_list("pk", flat=True))
    day = timezone.localdate(activity.start)
    rows = []
    for member_id, value in hours.items():
        if int(member_id) not in expected:
            raise ActivityError(
                _("Hours can only be recorded for the hosting organizations' members.")
            )
        try:
            amount = Decimal(str(value))
        except ArithmeticError as exc:
            raise ActivityError(_("Hours must be a number.")) from exc
        entry = VolunteerHours(
            member_id=int(member_id),
            activity=activity,
            hours=amount,
            date=day,
            recorded_by=acting_user,
        )
        full_clean(entry, exclude=["member"], validate_constraints=False)
        rows.append(entry)
    VolunteerHours.objects.filter(
        activity=activity, member_id__in=[row.member_id for row in rows]
    ).delete()
    created = bulk_create_with_action(
        VolunteerHours, rows, "activities.volunteer_hours.record", acting_user=acting_user
    )
    points_sync(activity_ids=[activity.pk], acting_user=acting_user)  # 红色积分 follow the hours
    return created
