"""Writes of organizational life: activities (create, change, cancel, mark held), their hosts,
attachments, attendance and the secretary's fast meeting log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.urls import reverse
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
    HostState,
    sniff_content_type,
)
from activities.selectors import attendance_candidates, expected_participants
from activities.services.common import (
    ActivityError,
    acts_for_bureau,
    check_activity_scope,
    check_scope,
    full_clean,
)
from branches.selectors import secretaries_of
from core.history import bulk_create_with_action, bulk_update_with_action, save_with_action
from core.models import User
from core.notifications import notify
from core.permissions import organization_in_scope
from core.uploads import name_with_extension
from venues.services import BookingError, booking_cancel, booking_create

# The names of the actions in the change history (history_change_reason).
ACTIVITY_CREATE = "activities.activity.create"
ACTIVITY_UPDATE = "activities.activity.update"
ACTIVITY_CANCEL = "activities.activity.cancel"
ACTIVITY_MARK_HELD = "activities.activity.mark_held"
ATTENDANCE_RECORD = "activities.attendance.record"
COHOST_REQUEST = "activities.cohost.request"
COHOST_ACCEPT = "activities.cohost.accept"
COHOST_DECLINE = "activities.cohost.decline"
COHOST_NOTIFY_KIND = "cohost-request"


def _accepted_at_once(acting_user: User, organization) -> bool:
    """Bureau staff name co-hosts that are accepted at once; so does a secretary naming an
    organization of their own subtree. Anyone else's naming is a request."""
    return acts_for_bureau(acting_user) or organization_in_scope(acting_user, organization)


def _sync_is_joint(activity: Activity, action: str) -> None:
    """Joint (联办) means two or more accepted hosts."""
    joint = activity.host_links.filter(state=HostState.ACCEPTED).count() >= 2
    if activity.is_joint != joint:
        activity.is_joint = joint
        save_with_action(activity, action, update_fields=["is_joint"])


def _notify_cohost_request(link: ActivityHost) -> None:
    activity, organization = link.activity, link.organization
    notify(
        recipients=secretaries_of([organization])[organization.pk],
        kind=COHOST_NOTIFY_KIND,
        title=_("%(lead)s asks %(organization)s to co-host “%(activity)s”")
        % {"lead": activity.organization, "organization": organization, "activity": activity},
        body=_("Accept or decline on the co-hosting requests page."),
        url=reverse("activities:cohost_requests"),
        key=f"cohost-request:{link.pk}:{link.requested_at:%Y%m%d%H%M%S%f}",
    )


def _set_hosts(
    activity: Activity, organization, co_hosts: Sequence, *, action: str, acting_user: User
) -> None:
    """Keep the lead and bring the co-hosts to `co_hosts`: a new one is a request (or accepted
    at once, see `_accepted_at_once`); one no longer named is removed unless attendance of its
    members was recorded; a declined one stays declined unless named again (asked again)."""
    ids = [organization.pk, *(org.pk for org in co_hosts)]
    if len(ids) != len(set(ids)):
        raise ActivityError(_("An organization cannot host the same activity twice."))
    links = {link.organization_id: link for link in activity.host_links.select_for_update()}
    if organization.pk not in links:
        ActivityHost.objects.create(
            activity=activity, organization=organization, is_lead=True, state=HostState.ACCEPTED
        )
    wanted = {org.pk: org for org in co_hosts}
    for org_id, link in links.items():
        if link.is_lead or org_id in wanted or link.state == HostState.DECLINED:
            continue
        if (
            link.state == HostState.ACCEPTED
            and activity.attendances.filter(member__organization_id=org_id).exists()
        ):
            raise ActivityError(
                _(
                    "%(organization)s cannot be removed as co-host: attendance of its members "
                    "is recorded for this activity."
                )
                % {"organization": link.organization},
                field="co_hosts",
            )
        link.delete()
    now = timezone.now()
    for org_id, org in wanted.items():
        link = links.get(org_id)
        if link is not None and link.state != HostState.DECLINED:
            continue
        if link is None:
            link = ActivityHost(activity=activity, organization=org, is_lead=False)
        link.requested_by, link.requested_at = acting_user, now
        link.decided_by = link.decided_at = None
        if _accepted_at_once(acting_user, org):
            link.state = HostState.ACCEPTED
            link.decided_by, link.decided_at = acting_user, now
        else:
            link.state = HostState.REQUESTED
        full_clean(link, validate_constraints=False)
        save_with_action(link, COHOST_REQUEST)
        if link.state == HostState.REQUESTED:
            link.activity = activity
            _notify_cohost_request(link)
    _sync_is_joint(activity, action)


def check_may_answer(acting_user: User, link: ActivityHost) -> None:
    """Bureau staff, or a secretary of the asked organization (or above it)."""
    if acts_for_bureau(acting_user):
        return
    if not (
        getattr(acting_user, "is_secretary", False)
        and organization_in_scope(acting_user, link.organization)
    ):
        raise ActivityError(_("Only the asked organization's secretary may answer this request."))


def _answer(*, link: ActivityHost, acting_user: User, state: str, action: str) -> ActivityHost:
    check_may_answer(acting_user, link)
    link = (
        ActivityHost.objects.select_for_update()
        .select_related("activity", "activity__organization", "organization")
        .get(pk=link.pk)
    )
    if link.is_lead or link.state != HostState.REQUESTED:
        raise ActivityError(_("This co-hosting request has already been answered."))
    if link.activity.status == ActivityStatus.CANCELLED:
        raise ActivityError(_("The activity was cancelled: there is nothing to answer."))
    link.state = state
    link.decided_by, link.decided_at = acting_user, timezone.now()
    full_clean(link, validate_constraints=False)
    save_with_action(link, action)
    _sync_is_joint(link.activity, action)
    activity = link.activity
    answer = (
        _("%(organization)s accepted co-hosting “%(activity)s”")
        if state == HostState.ACCEPTED
        else _("%(organization)s declined co-hosting “%(activity)s”")
    )
    notify(
        recipients=[
            *secretaries_of([activity.organization])[activity.organization_id],
            *([link.requested_by] if link.requested_by_id else []),
        ],
        kind=COHOST_NOTIFY_KIND,
        title=answer % {"organization": link.organization, "activity": activity},
        url=activity.get_absolute_url(),
        key=f"cohost-answer:{link.pk}:{link.decided_at:%Y%m%d%H%M%S%f}",
    )
    return link


@transaction.atomic
def cohost_accept(*, link: ActivityHost, acting_user: User) -> ActivityHost:
    """The asked organization accepts: its members appear on the attendance page and may be
    marked, and the activity counts in its figures."""
    return _answer(
        link=link, acting_user=acting_user, state=HostState.ACCEPTED, action=COHOST_ACCEPT
    )


@transaction.atomic
def cohost_decline(*, link: ActivityHost, acting_user: User) -> ActivityHost:
    """The asked organization declines: the activity stays the lead's alone."""
    return _answer(
        link=link, acting_user=acting_user, state=HostState.DECLINED, action=COHOST_DECLINE
    )


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
    _set_hosts(
        activity, organization, list(co_hosts), action=ACTIVITY_CREATE, acting_user=acting_user
    )
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
        _set_hosts(
            activity,
            activity.organization,
            list(co_hosts),
            action=ACTIVITY_UPDATE,
            acting_user=acting_user,
        )
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
        original_name=name_with_extension(getattr(upload, "name", ""), extension),
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


def _refusal(activity: Activity, member_id) -> str:
    """Why a member cannot be marked: their organization has not accepted co-hosting, they
    belong to another host (a co-host's secretary marks only their own) or to no host."""
    if not str(member_id).isdecimal():
        return _("Attendance can only be recorded for the hosting organizations' members.")
    link = (
        activity.host_links.filter(state=HostState.REQUESTED, organization__members__pk=member_id)
        .select_related("organization")
        .first()
    )
    if link is not None:
        return _(
            "%(organization)s has not accepted co-hosting this activity: its members cannot "
            "be marked yet."
        ) % {"organization": link.organization}
    if expected_participants(activity).filter(pk=member_id).exists():
        return _("You may only mark attendance for your own members.")
    return _("Attendance can only be recorded for the hosting organizations' members.")


@transaction.atomic
def attendance_record(
    *,
    activity: Activity,
    entries: Mapping[int, str] | Iterable[tuple[int, str, str]],
    acting_user: User,
) -> list[Attendance]:
    """Record a whole list at once: {member_id: status} or (member_id, status, reason) rows.

    Every member must be one of `attendance_candidates(activity, acting_user)`: a member of
    an accepted host (an organization asked to co-host that has not accepted brings nobody);
    a co-host's secretary marks only members of their own organization. Nothing is saved when
    one row is wrong.
    """
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityError(_("Attendance cannot be recorded for a cancelled activity."))
    rows = (
        [(member_id, status, "") for member_id, status in entries.items()]
        if isinstance(entries, Mapping)
        else [tuple(row) for row in entries]
    )
    check_activity_scope(acting_user, activity)
    members = {
        m.pk: m for m in attendance_candidates(activity, acting_user).select_related("organization")
    }
    valid_statuses = set(AttendanceStatus.values)
    objects = []
    for member_id, status, reason in rows:
        try:
            member = members.get(int(member_id))
        except (TypeError, ValueError):
            member = None
        if member is None:
            raise ActivityError(_refusal(activity, member_id))
        if status not in valid_statuses:
            raise ActivityError(_("Choose present, excused or absent."))
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
            Attendance,
            changed,
            ["status", "excused_reason"],
            ATTENDANCE_RECORD,
            acting_user=acting_user,
        )
    if created:
        bulk_create_with_action(Attendance, created, ATTENDANCE_RECORD, acting_user=acting_user)
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
