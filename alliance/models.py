"""The alliance proper: community coordination (双清单、双认领), the mediation studio
(调解工作室), the alliance registry and annual targets."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords

# --- Community coordination (双清单、双认领) and the mediation studio (调解工作室) ---------------
# Workflows live in alliance/services/ (coordination, mediation); reads in alliance/selectors.py.

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
        """The state as the boards read it (see alliance.selectors.with_current_state)."""
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


# --- The alliance registry -----------------------------------------------------------------


class Hub(models.TextChoices):
    """The two hubs (桥头堡) of the alliance."""

    ELDERLY_CENTRE = "elderly_centre", _("Yinchuan Elderly Party and Public Activity Centre")
    ELDERLY_UNIVERSITY = (
        "elderly_university",
        _("Yinchuan Elderly University Party and Public Activity Centre"),
    )


class AllianceRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Member")


class AllianceMembership(models.Model):
    """An organization's membership of the alliance: active while `left_on` is empty."""

    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="alliance_memberships",
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True, db_index=True)
    hub = models.CharField(_("hub"), max_length=30, choices=Hub.choices, db_index=True)
    role = models.CharField(
        _("role in the alliance"),
        max_length=10,
        choices=AllianceRole.choices,
        default=AllianceRole.MEMBER,
    )

    history = HistoricalRecords(table_name="branches_historicalalliancemembership")

    class Meta:
        db_table = "branches_alliancemembership"  # kept from when the registry lived in branches
        verbose_name = _("alliance membership")
        verbose_name_plural = _("alliance memberships")
        ordering = ["-joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(left_on__isnull=True),
                name="one_open_alliance_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_hub_display()})"

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("An organization cannot leave before it joins.")})


class AnnualTarget(models.Model):
    """The alliance's targets for one year; rates are percentages (0–100)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    organizations_target = models.PositiveIntegerField(_("target number of alliance organizations"))
    coverage_rate_target = models.DecimalField(
        _("target coverage rate (%)"), max_digits=5, decimal_places=1
    )
    participation_rate_target = models.DecimalField(
        _("target participation rate (%)"), max_digits=5, decimal_places=1
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(table_name="branches_historicalannualtarget")

    class Meta:
        db_table = "branches_annualtarget"  # kept from when the targets lived in branches
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        errors = {}
        for field in ("coverage_rate_target", "participation_rate_target"):
            value = getattr(self, field)
            if value is not None and not 0 <= value <= 100:
                errors[field] = _("Give a percentage between 0 and 100.")
        if errors:
            raise ValidationError(errors)


# --- Documents (制度与通知) ----------------------------------------------------------------
# The bureau publishes documents to all organizations or to chosen subtrees; each addressed
# organization's secretary marks them read (已阅) and, when asked, replies (回执). Workflows in
# alliance/services/documents.py; reads in alliance/selectors.py (documents section).


class DocumentCategory(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance")  # 指导意见
    NOTICE = "notice", _("Notice")  # 通知
    ASSESSMENT_RULES = "assessment_rules", _("Assessment rules")  # 考核细则
    REGULATION = "regulation", _("Regulation")  # 制度
    STUDY = "study", _("Study material")  # 学习材料


def document_file_path(instance, filename: str) -> str:
    # The stored name is chosen by the portal (core.uploads), never the uploaded one.
    return f"documents/{instance.stored_name}"


class Document(models.Model):
    """A document the bureau publishes (指导意见, 通知, 考核细则…)."""

    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=60, blank=True, db_index=True)
    issuer = models.CharField(_("issuer"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    category = models.CharField(
        _("category"), max_length=20, choices=DocumentCategory.choices, db_index=True
    )
    body = models.TextField(_("text"), blank=True)
    to_all = models.BooleanField(_("addressed to all organizations"), default=True)
    recipients = models.ManyToManyField(
        "branches.Organization",
        verbose_name=_("addressed to (with everything below them)"),
        blank=True,
        related_name="addressed_documents",
    )
    reply_required = models.BooleanField(_("a reply is required"), default=False)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["category", "issued_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_required=True) | Q(reply_by__isnull=True),
                name="document_reply_by_only_with_reply",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("alliance:document_detail", args=[self.pk])

    def clean(self) -> None:
        if self.reply_by and not self.reply_required:
            raise ValidationError({"reply_by": _("A reply date needs a required reply.")})


class StoredFile(models.Model):
    """A file kept through Django's storage API under a portal-chosen name (core.uploads)."""

    file = models.FileField(_("file"), upload_to=document_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField(_("size"))
    stored_name = models.CharField(max_length=100, editable=False)

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DocumentAttachment(StoredFile):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document attachment")
        verbose_name_plural = _("document attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DocumentRead(models.Model):
    """已阅: an addressed organization's secretary has read the document."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="reads")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="document_reads"
    )
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField(_("marked read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document read")
        verbose_name_plural = _("document reads")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organization"], name="document_read_once_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.document}"


class DocumentReply(StoredFile):
    """回执: an addressed organization's reply, a text and an optional attachment."""

    file = models.FileField(_("file"), upload_to=document_file_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="replies")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="document_replies"
    )
    text = models.TextField(_("reply"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document reply")
        verbose_name_plural = _("document replies")
        ordering = ["replied_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organization"], name="document_reply_once_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.document}"
