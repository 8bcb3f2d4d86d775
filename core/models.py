"""The ground floor's records: accounts and roles, and the export log every app writes through
the exporter. Tables keep their names from when these lived in `alliance` (db_table)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        db_table = "alliance_user"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

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
