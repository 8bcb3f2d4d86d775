"""Accounts and roles, and the records every app shares (the export log)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_bureau_staff(self) -> bool:
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
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export} {self.created_at:%Y-%m-%d %H:%M}"


# --- Community coordination (双清单、双认领) and the mediation studio (调解工作室) ---------------
# Workflows live in alliance/community_services.py; reads in alliance/community_selectors.py.

ID_NUMBER_LIKE = re.compile(r"\d{17}[\dXx]")


class CoordinationCategory(models.TextChoices):
    LECTURE = "lecture", _("Lectures")  # 宣讲
    VOLUNTEERING = "volunteering", _("Volunteer service")  # 志愿服务
    CULTURE = "culture", _("Culture and arts")  # 文化文艺
    MEDIATION = "mediation", _("Dispute mediation")  # 矛盾调解
    ENVIRONMENT = "environment", _("Environmental upkeep")  # 环境治理
    HEALTH = "health", _("Health clinics")  # 健康义诊
    ELDERLY_CARE = "elderly_care", _("Help for the elderly")  # 助老帮扶
    OTHER = "other", _("Other")


class NeedState(models.TextChoices):
    OPEN = "open", _("Open for claims")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class ResourceState(models.TextChoices):
    OPEN = "open", _("Open for claims")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClaimState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Need(models.Model):
    """需求清单: what a community asks of the alliance, posted by its party organization."""

    title = models.CharField(_("item title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=CoordinationCategory.choices, db_index=True
    )
    community = models.ForeignKey(
        "branches.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    posted_by_organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        related_name="posted_needs",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wanted_by = models.DateField(_("wanted by"))
    people_wanted = models.PositiveSmallIntegerField(_("people wanted"), default=1)
    skills = models.ManyToManyField(
        "members.Skill", verbose_name=_("skills wanted"), blank=True, related_name="needs"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=NeedState.choices, default=NeedState.OPEN
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "wanted_by"]),
            models.Index(fields=["community", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(people_wanted__gte=1), name="need_people_wanted_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("alliance:need_detail", args=[self.pk])

    @property
    def effective_state(self) -> str:
        """The state as the boards read it (see community_selectors.with_current_state)."""
        return getattr(self, "current_state", self.state)

    @property
    def effective_state_display(self) -> str:
        return NeedState(self.effective_state).label


class Resource(models.Model):
    """资源清单: a service an organization offers to communities."""

    title = models.CharField(_("item title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=CoordinationCategory.choices, db_index=True
    )
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("offered by"),
        on_delete=models.PROTECT,
        related_name="offered_resources",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skills = models.ManyToManyField(
        "members.Skill", verbose_name=_("skills"), blank=True, related_name="resources"
    )
    capacity = models.PositiveSmallIntegerField(_("people served at most"), default=1)
    available_from = models.DateField(_("offered from"))
    available_until = models.DateField(_("offered until"))
    state = models.CharField(
        _("state"), max_length=20, choices=ResourceState.choices, default=ResourceState.OPEN
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "available_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__gte=F("available_from")),
                name="resource_period_in_order",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="resource_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("alliance:resource_detail", args=[self.pk])

    def clean(self) -> None:
        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            raise ValidationError(
                {"available_until": _("The end of the period cannot be before its start.")}
            )


class Claim(models.Model):
    """认领: an organization claims a need, or a community claims a resource.

    Exactly one of `need` and `resource` is set. Once accepted, `activity` is the activity
    that fulfils it; the item is fulfilled when that activity is held.
    """

    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    claiming_organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("claiming organization"),
        on_delete=models.PROTECT,
        related_name="claims_made",
    )
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ClaimState.choices, default=ClaimState.PENDING
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=200, blank=True)
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_claims",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-claimed_at", "-pk"]
        indexes = [models.Index(fields=["state", "claimed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(need__isnull=False) & Q(resource__isnull=True))
                | (Q(need__isnull=True) & Q(resource__isnull=False)),
                name="claim_exactly_one_item",
            ),
            models.CheckConstraint(condition=Q(people__gte=1), name="claim_people_positive"),
            models.UniqueConstraint(
                fields=["need", "claiming_organization"],
                condition=Q(state__in=["pending", "accepted"], need__isnull=False),
                name="claim_need_once_per_organization",
            ),
            models.UniqueConstraint(
                fields=["resource", "claiming_organization"],
                condition=Q(state__in=["pending", "accepted"], resource__isnull=False),
                name="claim_resource_once_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claiming_organization} → {self.item}"

    def get_absolute_url(self) -> str:
        return reverse("alliance:claim_detail", args=[self.pk])

    @property
    def item(self):
        return self.need if self.need_id else self.resource

    @property
    def owner_organization_id(self) -> int:
        """The organization that decides: the need's poster or the resource's provider."""
        return (
            self.need.posted_by_organization_id if self.need_id else self.resource.organization_id
        )


class MediationStudio(models.Model):
    """调解工作室 in a community, hosted by an organization (e.g. 老王说和室)."""

    community = models.ForeignKey(
        "branches.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="mediation_studios",
    )
    name = models.CharField(_("name"), max_length=100)
    host_organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("host organization"),
        on_delete=models.PROTECT,
        related_name="mediation_studios",
    )
    address = models.CharField(_("studio address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        verbose_name = _("mediation studio")
        verbose_name_plural = _("mediation studios")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="studio_unique_in_community")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("alliance:studio_detail", args=[self.pk])


MEDIATOR_SKILLS = ("调解", "法律")


class RotaShift(models.Model):
    """One volunteer mediator on duty at a studio on a date."""

    studio = models.ForeignKey(MediationStudio, on_delete=models.CASCADE, related_name="shifts")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        related_name="mediation_shifts",
    )
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("rota shift")
        verbose_name_plural = _("rota shifts")
        ordering = ["date", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "member", "date"], name="rota_shift_once")
        ]
        indexes = [models.Index(fields=["studio", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.member}"

    def clean(self) -> None:
        if self.member_id and not self.member.skills.filter(name__in=MEDIATOR_SKILLS).exists():
            raise ValidationError(
                {"member": _("A mediator on the rota needs the mediation or law skill.")}
            )


class DisputeKind(models.TextChoices):
    NEIGHBOURS = "neighbours", _("Neighbours")  # 邻里
    FAMILY = "family", _("Family")  # 家庭
    PROPERTY = "property", _("Property management")  # 物业
    OTHER = "other", _("Other")


class CaseOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred")
    OPEN = "open", _("Still open")


def validate_no_id_number(value: str) -> None:
    """Parties are recorded by name or description only: never an ID number."""
    if value and ID_NUMBER_LIKE.search(value):
        raise ValidationError(_("Do not record ID numbers here: names or descriptions only."))


class MediationCase(models.Model):
    """A dispute brought to a studio. Details are for the studio's side and bureau staff only."""

    studio = models.ForeignKey(MediationStudio, on_delete=models.PROTECT, related_name="cases")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of dispute"), max_length=20, choices=DisputeKind.choices)
    parties = models.TextField(
        _("parties"),
        validators=[validate_no_id_number],
        help_text=_("Names or descriptions only, never ID numbers."),
    )
    summary = models.TextField(_("summary"), validators=[validate_no_id_number])
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CaseOutcome.choices, default=CaseOutcome.OPEN
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    mediators = models.ManyToManyField(
        "members.Member", verbose_name=_("mediators"), blank=True, related_name="mediation_cases"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["studio", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("alliance:case_detail", args=[self.pk])

    def clean(self) -> None:
        if self.follow_up_on and self.date and self.follow_up_on < self.date:
            raise ValidationError(
                {"follow_up_on": _("The follow-up cannot be before the case date.")}
            )


@receiver(post_save, sender="activities.Activity", dispatch_uid="alliance_claim_fulfilment")
def _activity_saved(sender, instance, **kwargs) -> None:
    """An activity marked held fulfils the needs and resources whose accepted claims it serves.

    A signal rather than a call in activities' code path: whichever service (or the admin)
    marks it held, the items follow. `claims_sync_fulfilment()` recomputes the same for
    writes that bypass signals (queryset.update, fixtures).
    """
    if instance.status != "held":
        return
    from alliance.community_services import fulfil_for_activity

    fulfil_for_activity(activity=instance)
