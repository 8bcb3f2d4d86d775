"""The ground floor's records: accounts and roles, the export log every app writes through
the exporter, background jobs, notifications and the daily schedule's runs. Tables of the
first two keep their names from when these lived in `alliance` (db_table)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords

SYSTEM_USERNAME = "system"


class Role(models.TextChoices):
    STAFF = "staff", _("Bureau staff")
    SECRETARY = "secretary", _("Branch secretary")
    SUPERVISOR = "supervisor", _("Supervisor")
    LIAISON = "liaison", _("Community liaison")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    """A person who signs in. The role decides what they may see and change.

    A secretary keeps the records of `organization` and its subtree; a community liaison
    speaks for `community` (and for `organization`, its community party organization, if any).
    """

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    community = models.ForeignKey(
        "branches.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    large_text = models.BooleanField(_("large text"), default=False)
    # Channels for notifications beside the inbox, chosen by the user on their profile.
    notify_by_email = models.BooleanField(_("notify me by email"), default=True)
    notify_by_sms = models.BooleanField(_("notify me by text message"), default=False)

    # Role, organization, community and deactivation are in the history; the password hash and
    # each sign-in are not (a save of nothing else writes no record: see save()).
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        db_table = "alliance_user"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
            # Signing in (update_last_login) or a password rehash: no history record.
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)

    @property
    def is_system(self) -> bool:
        """The system actor (core.actors): inactive, no password, acts for the bureau in jobs,
        reminders and the demo seed — never a person signing in."""
        return (
            not self.is_active
            and self.username == SYSTEM_USERNAME
            and self.role == Role.STAFF
            and not self.has_usable_password()
        )

    @property
    def is_bureau_staff(self) -> bool:
        if self.is_system:
            return True
        return self.is_active and (self.is_superuser or self.role == Role.STAFF)

    @property
    def is_secretary(self) -> bool:
        return self.is_active and self.role == Role.SECRETARY and self.organization_id is not None

    @property
    def is_supervisor(self) -> bool:
        return self.is_active and self.role == Role.SUPERVISOR

    @property
    def is_liaison(self) -> bool:
        return self.is_active and self.role == Role.LIAISON

    @property
    def is_viewer(self) -> bool:
        return self.is_active and self.role == Role.VIEWER


class ExportLog(models.Model):
    """Who downloaded which export, with which filter, and whether personal data was unmasked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    export = models.CharField(_("export"), max_length=100)
    query = models.TextField(_("filter"), blank=True)
    unmasked = models.BooleanField(_("unmasked"), default=False)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        db_table = "alliance_exportlog"
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export} {self.created_at:%Y-%m-%d %H:%M}"


class AccessLog(models.Model):
    """Who saw whose personal data, when and from where: a member's page opened, an unmasked
    export downloaded. Append-only (the admin shows it read-only; on PostgreSQL a trigger
    refuses UPDATE and DELETE). The object is named generically (model label + id + its name
    then) so that the ground floor knows no app above it."""

    class What(models.TextChoices):
        MEMBER_PAGE = "member_page", _("Member page")
        UNMASKED_EXPORT = "unmasked_export", _("Unmasked export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    what = models.CharField(_("what was seen"), max_length=30, choices=What.choices)
    # The model's label ("members.member"): a string, so that writing an entry is one INSERT.
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_access_object_type"),
            models.Index(fields=["user", "-created_at"], name="core_access_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()} {self.object_repr} {self.created_at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """Long work the job worker does for one user — today, an export too large for a request.

    The job row is the portal's own record (who asked, progress, the file, why it failed); the
    task backend (database or RQ) only carries the job's id to a worker. Running a job again
    starts it over and overwrites its file, so a job re-queued after a worker restart is safe.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Completed")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    kind = models.CharField(_("kind"), max_length=30, default="export")
    export = models.CharField(_("export"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    query = models.TextField(_("filter"), blank=True)
    unmasked = models.BooleanField(_("unmasked"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    file = models.FileField(_("file"), upload_to="jobs/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="core_job_user_created"),
            models.Index(fields=["status", "heartbeat_at"], name="core_job_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class Notification(models.Model):
    """One item in a user's inbox; email and text-message copies are its deliveries.

    `key` makes a notification idempotent: one user never gets two with the same non-empty key
    (a reminder run twice sends nothing new).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="core_notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="core_notification_unread"),
            models.Index(fields=["user", "-created_at"], name="core_notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """A copy of a notification sent by email or text message, and what became of it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="core_delivery_status")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"


class ScheduledRun(models.Model):
    """A scheduled job's run on one day: the unique row makes the schedule fire once a day
    whatever the number of workers."""

    name = models.CharField(_("name"), max_length=100)
    run_on = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["name", "run_on"], name="core_scheduledrun_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.run_on}"
