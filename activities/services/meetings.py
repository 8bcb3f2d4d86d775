"""Writes of organizational life: activities (create, change, cancel, mark held), their hosts,
attachments, attendance and the secretary's fast meeting log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    MAX_ATTACHMENT_BYTES,
    Activity,
    ActivityHost,
    ActivityStatus,
    Attachment,
    Attendance,
    AttendanceStatus,
    sniff_content_type,
)
from activities.services.common import (
    ActivityError,
    acts_for_bureau,
    check_activity_scope,
    check_scope,
    full_clean,
)
from core.history import bulk_create_with_action, bulk_update_with_action, save_with_action
from core.models import User
from core.permissions import organization_in_scope
from members.models import Member, MemberStatus
from venues.services import BookingError, booking_cancel, booking_create

# The names of the actions in the change history (history_change_reason).
ACTIVITY_CREATE = "activities.activity.create"
ACTIVITY_UPDATE = "activities.activity.update"
ACTIVITY_CANCEL = "activities.activity.cancel"
ACTIVITY_MARK_HELD = "activities.activity.mark_held"
ATTENDANCE_RECORD = "activities.attendance.record"


def _set_hosts(activity: Activity, organization, co_hosts: Sequence, *, action: str) -> None:
    ids = [organization.pk, *(org.pk for org in co_hosts)]
    if len(ids) != len(set(ids)):
        raise ActivityError(_("An organization cannot host the same activity twice."))
    ActivityHost.objects.filter(activity=activity).delete()
    ActivityHost.objects.bulk_create(
        [ActivityHost(activity=activity, organization=organization, is_lead=True)]
        + [ActivityHost(activity=activity, organization=org, is_lead=False) for org in co_hosts]
    )
    joint = len(ids) >= 2
    if activity.is_joint != joint:
        activity.is_joint = joint
        save_with_action(activity, action, update_fields=["is_joint"])


def _book_room(
    *, activity: Activity, room, expected_attendees: int | None, acting_user: User, action: str
) -> None:
    """Book a room for the activity through the venues service (its errors become ours)."""

    try:
        booking = booking_create(
            room=room,
            organization=activity.organization,
            start=activity.start,
            end=activity.end,
            purpose=activity.title,
            expected_attendees=expected_attendees or 1,
            acting_user=acting_user,
        )
    except BookingError as exc:
        raise ActivityError(str(exc), field=getattr(exc, "field", None) or "room") from exc
    activity.booking = booking
    if not activity.place_text:
        activity.place_text = str(room)
    save_with_action(activity, action, update_fields=["booking", "place_text"])


@transaction.atomic
def activity_create(
    *,
    type: str,
    organization,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    acting_user: User,
    co_hosts: Sequence = (),
    brand: str = "",
    place_text: str = "",
    status: str = ActivityStatus.PLANNED,
    agenda: str = "",
    discussion: str = "",
    decisions: str = "",
    outside_participants: int = 0,
    lecture_team=None,
    room=None,
    expected_attendees: int | None = None,
) -> Activity:
    """Create an activity with its hosts (the lead first); optionally book a room in one step."""
    check_scope(acting_user, organization)
    if status == ActivityStatus.HELD and start > timezone.now():
        raise ActivityError(
            _("An activity cannot be marked as held before it starts."), field="status"
        )
    activity = Activity(
        type=type,
        brand=brand,
        organization=organization,
        title=title,
        start=start,
        end=end,
        place_text=place_text,
        status=status,
        agenda=agenda,
        discussion=discussion,
        decisions=decisions,
        outside_participants=outside_participants,
        lecture_team=lecture_team,
        created_by=acting_user,
    )
    full_clean(activity)
    save_with_action(activity, ACTIVITY_CREATE)
    _set_hosts(activity, organization, list(co_hosts), action=ACTIVITY_CREATE)
    if room is not None:
        _book_room(
            activity=activity,
            room=room,
            expected_attendees=expected_attendees,
            acting_user=acting_user,
            action=ACTIVITY_CREATE,
        )
    return activity


UPDATABLE = (
    "type",
    "brand",
    "title",
    "start",
    "end",
    "place_text",
    "agenda",
    "discussion",
    "decisions",
    "outside_participants",
    "lecture_team",
)


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    acting_user: User,
    co_hosts: Sequence | None = None,
    room=None,
    expected_attendees: int | None = None,
    **changes,
) -> Activity:
    """Change an activity's fields (and, if given, its co-hosts); the lead stays."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    check_activity_scope(acting_user, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityError(_("A cancelled activity cannot be changed."))
    for name, value in changes.items():
        setattr(activity, name, value)
    full_clean(activity)
    save_with_action(activity, ACTIVITY_UPDATE)
    if co_hosts is not None:
        _set_hosts(activity, activity.organization, list(co_hosts), action=ACTIVITY_UPDATE)
    if room is not None and activity.booking_id is None:
        _book_room(
            activity=activity,
            room=room,
            expected_attendees=expected_attendees,
            acting_user=acting_user,
            action=ACTIVITY_UPDATE,
        )
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, acting_user: User) -> Activity:
    """Cancel (never delete): the activity stays in the ledger, marked cancelled."""
    check_activity_scope(acting_user, activity)
    if activity.status == ActivityStatus.HELD:
        raise ActivityError(_("An activity that was held cannot be cancelled."))
    activity.status = ActivityStatus.CANCELLED
    save_with_action(activity, ACTIVITY_CANCEL, update_fields=["status", "updated_at"])
    booking = activity.booking
    if booking is not None and booking.is_active:
        try:
            booking_cancel(booking=booking, acting_user=acting_user)
        except BookingError as exc:
            raise ActivityError(str(exc)) from exc
    return activity


@transaction.atomic
def activity_mark_held(*, activity: Activity, acting_user: User) -> Activity:
    check_activity_scope(acting_user, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityError(_("A cancelled activity cannot be marked as held."))
    if activity.start > timezone.now():
        raise ActivityError(_("An activity cannot be marked as held before it starts."))
    activity.status = ActivityStatus.HELD
    save_with_action(activity, ACTIVITY_MARK_HELD, update_fields=["status", "updated_at"])
    return activity


@transaction.atomic
def attachment_add(
    *, activity: Activity, upload, acting_user: User, caption: str = ""
) -> Attachment:
    """Keep a photo or PDF: the type is checked by content, the size limited to 10 MB."""
    check_activity_scope(acting_user, activity)
    size = upload.size
    if size > MAX_ATTACHMENT_BYTES:
        raise ActivityError(_("The file is larger than 10 MB."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = sniff_content_type(head)
    if sniffed is None:
        raise ActivityError(_("Only photos (JPEG, PNG, GIF, WebP) and PDF files can be attached."))
    content_type, extension = sniffed
    attachment = Attachment(
        activity=activity,
        original_name=(getattr(upload, "name", "") or "")[-200:] or f"file.{extension}",
        content_type=content_type,
        extension=extension,
        size=size,
        caption=caption,
        uploaded_by=acting_user,
    )
    attachment.file.save(f"upload.{extension}", upload, save=False)
    full_clean(attachment)
    attachment.save()
    return attachment


# --- Attendance --------------------------------------------------------------------------------


def expected_participants(activity: Activity):
    """Members whose organization relation (or three-affinity participation) is a host."""
    host_ids = list(activity.host_links.values_list("organization_id", flat=True))
    return (
        Member.objects.filter(status=MemberStatus.NORMAL)
        .filter(
            Q(organization_id__in=host_ids)
            | Q(
                participations__organization_id__in=host_ids,
                participations__left_on__isnull=True,
            )
        )
        .distinct()
        .order_by("name", "pk")
    )


@transaction.atomic
def attendance_record(
    *,
    activity: Activity,
    entries: Mapping[int, str] | Iterable[tuple[int, str, str]],
    acting_user: User,
) -> list[Attendance]:
    """Record a whole list at once: {member_id: status} or (member_id, status, reason) rows.

    Every member must be an expected participant; a co-host's secretary marks only members
    of their own organization. Nothing is saved when one row is wrong.
    """
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityError(_("Attendance cannot be recorded for a cancelled activity."))
    rows = (
        [(member_id, status, "") for member_id, status in entries.items()]
        if isinstance(entries, Mapping)
        else [tuple(row) for row in entries]
    )
    members = {m.pk: m for m in expected_participants(activity).select_related("organization")}
    valid_statuses = set(AttendanceStatus.values)
    objects = []
    for member_id, status, reason in rows:
        member = members.get(int(member_id))
        if member is None:
            raise ActivityError(
                _("Attendance can only be recorded for the hosting organizations' members.")
            )
        if status not in valid_statuses:
            raise ActivityError(_("Choose present, excused or absent."))
        if (
            not acts_for_bureau(acting_user)
            and not organization_in_scope(acting_user, member.organization)
            and not organization_in_scope(acting_user, activity.organization)
        ):
            raise ActivityError(_("You may only mark attendance for your own members."))
        objects.append(
            Attendance(
                activity=activity,
                member=member,
                status=status,
                excused_reason=(reason or "")[:100] if status == AttendanceStatus.EXCUSED else "",
            )
        )
    # A member's existing row is changed in place (its history continues), new ones created.
    recorded = {
        a.member_id: a
        for a in Attendance.objects.filter(
            activity=activity, member_id__in=[a.member_id for a in objects]
        )
    }
    saved, changed, created = [], [], []
    for item in objects:
        current = recorded.get(item.member_id)
        if current is None:
            created.append(item)
            saved.append(item)
            continue
        current.status = item.status
        current.excused_reason = item.excused_reason
        changed.append(current)
        saved.append(current)
    if changed:
        bulk_update_with_action(
            Attendance, changed, ["status", "excused_reason"], ATTENDANCE_RECORD
        )
    if created:
        bulk_create_with_action(Attendance, created, ATTENDANCE_RECORD)
    return saved


@transaction.atomic
def meeting_log(
    *,
    organization,
    type: str,
    date: datetime.date,
    topic: str,
    present_ids: Iterable[int],
    acting_user: User,
    excused: Mapping[int, str] | None = None,
    start_time: datetime.time = datetime.time(9, 0),
    duration_minutes: int = 90,
    decisions: str = "",
) -> Activity:
    """The secretary's fast 三会一课 form: one held meeting and its attendance, together.

    Ticked members are present, `excused` ones excused with their reason, everyone else of
    the organization absent.
    """
    if not topic.strip():
        raise ActivityError(_("Give the topic of the meeting."))
    if date > timezone.localdate():
        raise ActivityError(_("A meeting in the future cannot be logged as held."))
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date, start_time, tzinfo=tz)
    activity = activity_create(
        type=type,
        organization=organization,
        title=topic.strip(),
        start=start,
        end=start + datetime.timedelta(minutes=duration_minutes),
        acting_user=acting_user,
        status=ActivityStatus.HELD,
        decisions=decisions,
    )
    present = {int(pk) for pk in present_ids}
    excused = {int(pk): reason for pk, reason in (excused or {}).items()}
    expected = list(expected_participants(activity).values_list("pk", flat=True))
    unknown = (present | set(excused)) - set(expected)
    if unknown:
        raise ActivityError(
            _("Attendance can only be recorded for the hosting organizations' members.")
        )
    rows = []
    for member_id in expected:
        if member_id in present:
            rows.append((member_id, AttendanceStatus.PRESENT, ""))
        elif member_id in excused:
            rows.append((member_id, AttendanceStatus.EXCUSED, excused[member_id]))
        else:
            rows.append((member_id, AttendanceStatus.ABSENT, ""))
    attendance_record(activity=activity, entries=rows, acting_user=acting_user)
    return activity
