"""Organizational life (三会一课), joint activities (活动联办), attendance, compliance,
co-training (党员联培), lectures (宣讲) and volunteer hours."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.models import Brand
from branches.models import Kind as OrganizationKind
from core.history import HistoricalRecords


class ActivityType(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("Branch general meeting")  # 支部党员大会
    COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")  # 支委会
    GROUP_MEETING = "group_meeting", _("Party group meeting")  # 党小组会
    PARTY_LECTURE = "party_lecture", _("Party lecture")  # 党课
    THEME_DAY = "theme_day", _("Theme party day")  # 主题党日
    LIFE_MEETING = "life_meeting", _("Organizational life meeting")  # 组织生活会
    DEMOCRATIC_REVIEW = "democratic_review", _("Democratic review of members")  # 民主评议党员
    HEART_TO_HEART = "heart_to_heart", _("Heart-to-heart talk")  # 谈心谈话
    LECTURE = "lecture", _("Lecture")  # 宣讲
    VOLUNTEERING = "volunteering", _("Volunteer service")  # 志愿服务
    CULTURE = "culture", _("Culture and arts")  # 文化文艺
    VISIT = "visit", _("Study visit")  # 参观考察
    TRAINING = "training", _("Training")  # 培训
    MEDIATION = "mediation", _("Mediation")  # 调解
    OTHER = "other", _("Other")


# Organizational life: the types the secretary's meeting log offers (三会一课 and the rest).
MEETING_TYPES = (
    ActivityType.COMMITTEE_MEETING,
    ActivityType.GENERAL_MEETING,
    ActivityType.GROUP_MEETING,
    ActivityType.PARTY_LECTURE,
    ActivityType.THEME_DAY,
    ActivityType.LIFE_MEETING,
    ActivityType.DEMOCRATIC_REVIEW,
    ActivityType.HEART_TO_HEART,
)


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    """An activity or meeting; two or more hosting organizations make it joint (联办)."""

    type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    brand = models.CharField(_("brand"), max_length=20, choices=Brand.choices, blank=True)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("lead organization"),
        on_delete=models.PROTECT,
        related_name="led_activities",
    )
    hosts = models.ManyToManyField(
        "branches.Organization",
        verbose_name=_("hosting organizations"),
        through="ActivityHost",
        related_name="hosted_activities",
    )
    is_joint = models.BooleanField(_("joint activity"), default=False, editable=False)
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    place_text = models.CharField(_("place"), max_length=200, blank=True)
    booking = models.OneToOneField(
        "venues.Booking",
        verbose_name=_("venue booking"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    agenda = models.TextField(_("agenda"), blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    outside_participants = models.PositiveIntegerField(_("outside participants"), default=0)
    lecture_team = models.ForeignKey(
        "LectureTeam",
        verbose_name=_("lecture team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures",
    )
    is_online = models.BooleanField(_("online"), default=False)
    authors = models.PositiveIntegerField(_("number of authors"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start", "-pk"]
        indexes = [
            models.Index(fields=["type", "status", "start"]),
            models.Index(fields=["status", "start"]),
            models.Index(fields=["brand", "start"]),
            models.Index(fields=["is_joint", "start"]),
            models.Index(fields=["organization", "start"]),
            # The ledger's order (newest first): the first page without sorting every row.
            models.Index(fields=["-start", "-id"], name="activity_ledger_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="activity_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("activities:detail", args=[self.pk])

    @property
    def is_meeting(self) -> bool:
        return self.type in MEETING_TYPES

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end must not be before the start.")})


class HostState(models.TextChoices):
    """A co-host is asked (requested) and answers; only accepted hosts count anywhere."""

    REQUESTED = "requested", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ActivityHost(models.Model):
    """One hosting organization of an activity; exactly one of them is the lead.

    Naming another organization as co-host is a request (`state` requested) that its
    secretary or bureau staff accept or decline; until accepted its members are neither
    listed nor marked on the attendance page and its figures do not count the activity.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="host_links")
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="activity_host_links",
    )
    is_lead = models.BooleanField(_("lead"), default=False)
    # The lead (and every row written before co-hosting became a request) is accepted.
    state = models.CharField(
        _("co-hosting"), max_length=10, choices=HostState.choices, default=HostState.ACCEPTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hosting organization")
        verbose_name_plural = _("hosting organizations")
        ordering = ["-is_lead", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "organization"], name="activity_host_once"),
            models.UniqueConstraint(
                fields=["activity"], condition=Q(is_lead=True), name="activity_one_lead"
            ),
            models.CheckConstraint(
                condition=Q(is_lead=False) | Q(state="accepted"), name="activity_lead_accepted"
            ),
        ]
        indexes = [models.Index(fields=["organization", "state"])]

    def __str__(self) -> str:
        return f"{self.activity} · {self.organization}"


# --- Attachments ---------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# (signature check, content type, extension) — checked against the file's first bytes.
ALLOWED_SIGNATURES = (
    (lambda head: head.startswith(b"\xff\xd8\xff"), "image/jpeg", "jpg"),
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "image/png", "png"),
    (lambda head: head[:6] in (b"GIF87a", b"GIF89a"), "image/gif", "gif"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "image/webp", "webp"),
    (lambda head: head.startswith(b"%PDF-"), "application/pdf", "pdf"),
)


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, or None when not allowed."""
    for matches, content_type, extension in ALLOWED_SIGNATURES:
        if matches(head):
            return content_type, extension
    return None


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never reuses the uploaded one (which may lie about its type).
    import uuid

    return f"activities/{instance.activity_id}/{uuid.uuid4().hex}.{instance.extension}"


class Attachment(models.Model):
    """A photo or PDF of an activity, kept through Django's storage API."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField(_("size"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# --- Attendance and volunteer hours ----------------------------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class AttendanceSource(models.TextChoices):
    BY_HAND = "hand", _("Marked by hand")
    QR_CODE = "qr", _("Signed in by QR code")
    PAPER = "paper", _("Signed on the paper sheet")


class Attendance(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    excused_reason = models.CharField(_("reason for absence"), max_length=100, blank=True)
    # How presence was recorded: by hand (the default), by the member's QR sign-in (with its
    # time) or ticked from the signed paper sheet (activities.services.signin).
    source = models.CharField(
        _("recorded"),
        max_length=10,
        choices=AttendanceSource.choices,
        default=AttendanceSource.BY_HAND,
    )
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["activity", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="attendance_once")
        ]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class VolunteerHours(models.Model):
    """One line of a member's volunteer-hours ledger."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="volunteer_hours",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_hours",
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(24)],
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")
        ordering = ["-date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "activity"],
                condition=Q(activity__isnull=False),
                name="volunteer_hours_once_per_activity",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="volunteer_hours_positive"),
        ]
        indexes = [models.Index(fields=["member", "date"])]

    def __str__(self) -> str:
        return f"{self.member} {self.hours}h"


# --- Compliance ------------------------------------------------------------------------------


class Period(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class RequiredFrequency(models.Model):
    """How often an organization of a kind must hold a type of meeting (kept as data)."""

    organization_kind = models.CharField(
        _("organization kind"), max_length=30, choices=OrganizationKind.choices
    )
    activity_type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    times = models.PositiveSmallIntegerField(
        _("times per period"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("required frequency")
        verbose_name_plural = _("required frequencies")
        ordering = ["organization_kind", "activity_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization_kind", "activity_type"], name="required_frequency_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_organization_kind_display()} · {self.get_activity_type_display()}"


# --- Co-training (党员联培), micro-lecture contests, lecture teams --------------------------------


class TrainingKind(models.TextChoices):
    CENTRAL = "central", _("Central training")  # 集中培训
    OBSERVATION = "observation", _("Observation and study")  # 观摩学习
    HOME_DELIVERY = "home_delivery", _("Study delivered at home")  # 送学上门
    MICRO_LECTURE = "micro_lecture", _("Micro party lecture contest")  # 微党课评选


class TrainingSession(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("training form"), max_length=20, choices=TrainingKind.choices)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0.5)]
    )
    trainers = models.CharField(_("trainers"), max_length=200)
    trainees = models.ManyToManyField(
        "members.Member", verbose_name=_("trainees"), blank=True, related_name="trainings"
    )
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="training"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return self.title


class Contest(models.Model):
    """A micro-lecture contest (微党课评选)."""

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="contests",
    )

    class Meta:
        verbose_name = _("micro-lecture contest")
        verbose_name_plural = _("micro-lecture contests")
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return self.title


class ContestEntry(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("lecturer"),
        on_delete=models.PROTECT,
        related_name="contest_entries",
    )
    title = models.CharField(_("lecture title"), max_length=200)

    class Meta:
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        constraints = [
            models.UniqueConstraint(fields=["contest", "member"], name="contest_entry_once")
        ]

    def __str__(self) -> str:
        return self.title


class JudgeScore(models.Model):
    entry = models.ForeignKey(ContestEntry, on_delete=models.CASCADE, related_name="scores")
    judge = models.CharField(_("judge"), max_length=50)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("judge's score")
        verbose_name_plural = _("judges' scores")
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge"], name="judge_scores_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="judge_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judge}: {self.score}"


class LectureTeam(models.Model):
    """A lecture team (宣讲团) and its target, e.g. 百名老党员·讲百场初心故事."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lecture_teams",
    )
    members = models.ManyToManyField(
        "members.Member", verbose_name=_("lecturers"), blank=True, related_name="lecture_teams"
    )
    target_lecturers = models.PositiveIntegerField(_("target number of lecturers"), default=0)
    target_lectures = models.PositiveIntegerField(_("target number of lectures"), default=0)

    class Meta:
        verbose_name = _("lecture team")
        verbose_name_plural = _("lecture teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Volunteer points (红色积分 / 时间银行) ------------------------------------------------------


class PointsRule(models.Model):
    """How volunteer hours earn points, as the bureau set it from a day; a change is a new row
    (the rule in force on a day is the latest one effective by then)."""

    points_per_hour = models.DecimalField(
        _("points per hour"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    cap_per_activity = models.DecimalField(
        _("cap per activity"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    effective_from = models.DateField(_("effective from"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["-effective_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.points_per_hour}/h ≤ {self.cap_per_activity}"


class PointsEntryKind(models.TextChoices):
    EARNED = "earned", _("Earned")
    EXCHANGED = "exchanged", _("Exchanged")
    REVERSAL = "reversal", _("Reversal")


class PointsEntry(models.Model):
    """One line of a member's points ledger. Lines are never edited or deleted: a correction
    is a reversing line (`reverses`) and, where due, a new line."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="points_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PointsEntryKind.choices)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=1)
    day = models.DateField(_("date"), db_index=True)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="points_entries"
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    exchanged_for = models.CharField(_("exchanged for"), max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["member", "activity"])]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+}"
