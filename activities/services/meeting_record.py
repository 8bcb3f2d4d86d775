"""The secretary's meeting log with everything on one form: the meeting and its attendance
(`meeting_log`, unchanged), and, when given, the minutes, place, outside participants,
co-hosts and photos — all saved together or not at all."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.services.common import ActivityError
from activities.services.meetings import activity_update, attachment_add, meeting_log
from core.models import User

MAX_PHOTOS = 10
DEFAULT_START = datetime.time(9, 0)


@transaction.atomic
def meeting_log_with_record(
    *,
    organization,
    type: str,
    date: datetime.date,
    topic: str,
    present_ids: Iterable[int],
    acting_user: User,
    excused: Mapping[int, str] | None = None,
    start_time: datetime.time | None = None,
    place_text: str = "",
    agenda: str = "",
    discussion: str = "",
    decisions: str = "",
    outside_participants: int = 0,
    co_hosts: Sequence = (),
    photos: Sequence = (),
) -> Activity:
    """Log a held meeting with its attendance (present, excused with reasons, the rest of the
    organization absent) and its optional record.

    The attendance list is the logging organization's: co-hosts are added after it, so their
    members are not marked absent here — each co-host records its own members' attendance.
    """
    if len(photos) > MAX_PHOTOS:
        raise ActivityError(
            _("At most %(count)s photos at a time.") % {"count": MAX_PHOTOS}, field="photos"
        )
    log_kwargs = {"decisions": decisions}
    if start_time is None:
        # No time given: 09:00, or, for a meeting logged today before nine, the time now
        # (a held meeting cannot start in the future).
        now = timezone.localtime()
        start_time = DEFAULT_START
        if date == now.date() and now.time() < DEFAULT_START:
            start_time = now.time().replace(second=0, microsecond=0)
    log_kwargs["start_time"] = start_time
    activity = meeting_log(
        organization=organization,
        type=type,
        date=date,
        topic=topic,
        present_ids=present_ids,
        excused=excused,
        acting_user=acting_user,
        **log_kwargs,
    )
    changes = {
        name: value
        for name, value in {
            "place_text": place_text,
            "agenda": agenda,
            "discussion": discussion,
            "outside_participants": outside_participants or 0,
        }.items()
        if value
    }
    co_hosts = list(co_hosts)
    if changes or co_hosts:
        activity_update(
            activity=activity,
            acting_user=acting_user,
            co_hosts=co_hosts or None,
            **changes,
        )
    for photo in photos:
        try:
            attachment_add(activity=activity, upload=photo, acting_user=acting_user)
        except ActivityError as exc:
            name = getattr(photo, "name", "") or ""
            raise ActivityError(f"{name}：{exc}" if name else str(exc), field="photos") from exc
    return activity
