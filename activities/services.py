"""Every write of the activities app: keyword-only, atomic, validated before saving."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    MAX_ATTACHMENT_BYTES,
    Activity,
    ActivityHost,
    ActivityStatus,
    ActivityType,
    Attachment,
    Attendance,
    AttendanceStatus,
    Contest,
    ContestEntry,
    JudgeScore,
    LectureTeam,
    RequiredFrequency,
    TrainingSession,
    VolunteerHours,
    sniff_content_type,
)
from activities.permissions import activity_hosted_in_scope
from core.errors import ServiceError
from core.permissions import organization_in_scope
from members.models import Member, MemberStatus
from venues.services import BookingError, booking_cancel, booking_create


class ActivityError(ServiceError):
    """A write that cannot be done; the message is shown to the user (translated).

    `field` names the form field at fault (None: the whole form).
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field)


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(str(m) for messages in exc.message_dict.values() for m in messages)
    return "；".join(str(m) for m in exc.messages)


def _full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise ActivityError(_validation_message(exc)) from exc


def _check_scope(acting_user, organization) -> None:
    if acting_user is None or acting_user.is_bureau_staff:
        return
    if not (acting_user.is_secretary and organization_in_scope(acting_user, organization)):
        raise ActivityError(_("You may only record activities of your own organization."))


def _check_activity_scope(acting_user, activity: Activity) -> None:
    """The acting secretary's subtree holds one of the activity's hosts (lead or co-host)."""

    if acting_user is None or acting_user.is_bureau_staff:
        return
    if not activity_hosted_in_scope(acting_user, activity):
        raise ActivityError(_("You may only change activities your organization hosts."))


def _set_hosts(activity: Activity, organization, co_hosts: Sequence) -> None:
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
        activity.save(update_fields=["is_joint"])


def _book_room(*, activity: Activity, room, expected_attendees: int | None, acting_user) -> None:
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
    activity.save(update_fields=["booking", "place_text"])


@transaction.atomic
def activity_create(
    *,
    type: str,
    organization,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    acting_user,
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
    _check_scope(acting_user, organization)
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
    _full_clean(activity)
    activity.save()
    _set_hosts(activity, organization, list(co_hosts))
    if room is not None:
        _book_room(
            activity=activity,
            room=room,
            expected_attendees=expected_attendees,
            acting_user=acting_user,
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
    acting_user,
    co_hosts: Sequence | None = None,
    room=None,
    expected_attendees: int | None = None,
    **changes,
) -> Activity:
    """Change an activity's fields (and, if given, its co-hosts); the lead stays."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    _check_activity_scope(acting_user, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityError(_("A cancelled activity cannot be changed."))
    for name, value in changes.items():
        setattr(activity, name, value)
    _full_clean(activity)
    activity.save()
    if co_hosts is not None:
        _set_hosts(activity, activity.organization, list(co_hosts))
    if room is not None and activity.booking_id is None:
        _book_room(
            activity=activity,
            room=room,
            expected_attendees=expected_attendees,
            acting_user=acting_user,
        )
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, acting_user) -> Activity:
    """Cancel (never delete): the activity stays in the ledger, marked cancelled."""
    _check_activity_scope(acting_user, activity)
    if activity.status == ActivityStatus.HELD:
        raise ActivityError(_("An activity that was held cannot be cancelled."))
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    booking = activity.booking
    if booking is not None and booking.is_active:
        try:
            booking_cancel(booking=booking, acting_user=acting_user)
        except BookingError as exc:
            raise ActivityError(str(exc)) from exc
    return activity


@transaction.atomic
def activity_mark_held(*, activity: Activity, acting_user) -> Activity:
    _check_activity_scope(acting_user, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityError(_("A cancelled activity cannot be marked as held."))
    if activity.start > timezone.now():
        raise ActivityError(_("An activity cannot be marked as held before it starts."))
    activity.status = ActivityStatus.HELD
    activity.save(update_fields=["status", "updated_at"])
    return activity


@transaction.atomic
def attachment_add(*, activity: Activity, upload, acting_user, caption: str = "") -> Attachment:
    """Keep a photo or PDF: the type is checked by content, the size limited to 10 MB."""
    _check_activity_scope(acting_user, activity)
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
    _full_clean(attachment)
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
    acting_user,
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
            acting_user is not None
            and not acting_user.is_bureau_staff
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
    Attendance.objects.filter(
        activity=activity, member_id__in=[a.member_id for a in objects]
    ).delete()
    return Attendance.objects.bulk_create(objects)


@transaction.atomic
def meeting_log(
    *,
    organization,
    type: str,
    date: datetime.date,
    topic: str,
    present_ids: Iterable[int],
    acting_user,
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


# --- Volunteer hours ---------------------------------------------------------------------------


@transaction.atomic
def volunteer_hours_record(
    *, activity: Activity, hours: Mapping[int, Decimal | float | str], acting_user
) -> list[VolunteerHours]:
    """Hours per participant of a volunteering activity into the members' ledger."""
    _check_activity_scope(acting_user, activity)
    if activity.type != ActivityType.VOLUNTEERING:
        raise ActivityError(_("Hours are recorded for volunteering activities only."))
    if activity.status != ActivityStatus.HELD:
        raise ActivityError(_("Record hours once the activity has been held."))
    expected = set(expected_participants(activity).values_list("pk", flat=True))
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
        _full_clean(entry, exclude=["member"], validate_constraints=False)
        rows.append(entry)
    VolunteerHours.objects.filter(
        activity=activity, member_id__in=[row.member_id for row in rows]
    ).delete()
    return VolunteerHours.objects.bulk_create(rows)


# --- Compliance data, contests -----------------------------------------------------------------


@transaction.atomic
def required_frequency_save(
    *,
    organization_kind: str,
    activity_type: str,
    period: str,
    times: int,
    acting_user,
    item: RequiredFrequency | None = None,
) -> RequiredFrequency:
    """Add or change a required frequency (bureau staff only)."""
    if acting_user is not None and not acting_user.is_bureau_staff:
        raise ActivityError(_("Only bureau staff change the required frequencies."))
    if item is None:
        item = (
            RequiredFrequency.objects.filter(
                organization_kind=organization_kind, activity_type=activity_type
            ).first()
            or RequiredFrequency()
        )
    item.organization_kind = organization_kind
    item.activity_type = activity_type
    item.period = period
    item.times = times
    _full_clean(item)
    item.save()
    return item


@transaction.atomic
def required_frequency_delete(*, item: RequiredFrequency, acting_user) -> None:
    """Requirements are configuration, not history: removing one is allowed."""
    if acting_user is not None and not acting_user.is_bureau_staff:
        raise ActivityError(_("Only bureau staff change the required frequencies."))
    item.delete()


@transaction.atomic
def judge_score_record(
    *, entry: ContestEntry, judge: str, score: Decimal | float | str, acting_user
) -> JudgeScore:
    if acting_user is not None and not acting_user.is_bureau_staff:
        raise ActivityError(_("Only bureau staff record the judges' scores."))
    item = JudgeScore.objects.filter(entry=entry, judge=judge.strip()).first() or JudgeScore(
        entry=entry, judge=judge.strip()
    )
    item.score = Decimal(str(score))
    _full_clean(item, validate_constraints=False)
    try:
        item.save()
    except IntegrityError as exc:
        raise ActivityError(_("The score must be between 0 and 100.")) from exc
    return item


DEFAULT_FREQUENCIES = (
    *(
        (kind, activity_type, period)
        for kind in ("branch", "general_branch")
        for activity_type, period in (
            (ActivityType.COMMITTEE_MEETING, "month"),
            (ActivityType.GENERAL_MEETING, "quarter"),
            (ActivityType.PARTY_LECTURE, "quarter"),
            (ActivityType.THEME_DAY, "month"),
            (ActivityType.LIFE_MEETING, "year"),
            (ActivityType.DEMOCRATIC_REVIEW, "year"),
        )
    ),
    ("party_group", ActivityType.GROUP_MEETING, "month"),
)


def required_frequencies_ensure_defaults() -> None:
    """The defaults the data migration writes (for databases flushed by transactional tests)."""
    for kind, activity_type, period in DEFAULT_FREQUENCIES:
        RequiredFrequency.objects.get_or_create(
            organization_kind=kind,
            activity_type=activity_type,
            defaults={"period": period, "times": 1},
        )


# --- Co-training, contests, lecture teams ------------------------------------------------------


@transaction.atomic
def training_create(*, acting_user, trainees: Iterable = (), **fields) -> TrainingSession:
    """A co-training session (党员联培) with its trainees."""
    _check_scope(acting_user, fields.get("organization"))
    session = TrainingSession(**fields)
    _full_clean(session)
    session.save()
    session.trainees.set(list(trainees))
    return session


@transaction.atomic
def training_update(
    *, session: TrainingSession, acting_user, trainees: Iterable | None = None, **fields
) -> TrainingSession:
    """Change a co-training session: kind, title, date, hours, trainers and, if given, trainees.
    A secretary keeps sessions organized in their subtree and may not move one out of it."""
    _check_scope(acting_user, session.organization)
    allowed = {"title", "kind", "organization", "date", "hours", "trainers"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    if "organization" in fields:
        _check_scope(acting_user, fields["organization"])
    for name, value in fields.items():
        setattr(session, name, value)
    _full_clean(session)
    session.save()
    if trainees is not None:
        session.trainees.set(list(trainees))
    return session


@transaction.atomic
def contest_entry_update(*, entry: ContestEntry, member, title: str, acting_user) -> ContestEntry:
    """Correct an entry's lecturer or lecture title; the judges' scores stay with the entry."""
    if acting_user is not None and not acting_user.is_bureau_staff:
        raise ActivityError(_("Only bureau staff run micro-lecture contests."))
    if (
        ContestEntry.objects.filter(contest_id=entry.contest_id, member=member)
        .exclude(pk=entry.pk)
        .exists()
    ):
        raise ActivityError(_("This member has already entered the contest."), field="member")
    entry.member = member
    entry.title = (title or "").strip()
    _full_clean(entry)
    entry.save()
    return entry


@transaction.atomic
def contest_create(*, acting_user, title: str, year: int, organization) -> Contest:
    if acting_user is not None and not acting_user.is_bureau_staff:
        raise ActivityError(_("Only bureau staff run micro-lecture contests."))
    contest = Contest(title=title, year=year, organization=organization)
    _full_clean(contest)
    contest.save()
    return contest


@transaction.atomic
def contest_entry_add(*, contest: Contest, member, title: str, acting_user) -> ContestEntry:
    if acting_user is not None and not acting_user.is_bureau_staff:
        raise ActivityError(_("Only bureau staff run micro-lecture contests."))
    if ContestEntry.objects.filter(contest=contest, member=member).exists():
        raise ActivityError(_("This member has already entered the contest."), field="member")
    entry = ContestEntry(contest=contest, member=member, title=title)
    _full_clean(entry)
    entry.save()
    return entry


@transaction.atomic
def lecture_team_save(
    *, acting_user, team: LectureTeam | None = None, members: Iterable = (), **fields
) -> LectureTeam:
    if acting_user is not None and not acting_user.is_bureau_staff:
        raise ActivityError(_("Only bureau staff keep the lecture teams."))
    team = team or LectureTeam()
    for name, value in fields.items():
        setattr(team, name, value)
    _full_clean(team)
    team.save()
    team.members.set(list(members))
    return team
