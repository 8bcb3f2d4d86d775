"""The retired party members' roster, after the national 党员信息采集 fields."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branches.models import Kind
from members.identity import (
    id_number_problems,
    normalize_id_number,
    normalize_phone,
    phone_is_valid,
    pinyin_initials,
)

# Organizations that can hold a member's relation (组织关系所在支部).
RELATION_KINDS = frozenset({Kind.BRANCH, Kind.GENERAL_BRANCH})


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior middle school")
    VOCATIONAL = "vocational", _("Technical secondary school")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class MemberCategory(models.TextChoices):
    RETIRED_BEFORE_1949 = "lixiu", _("Retired veteran (lixiu)")
    RETIRED = "retired", _("Retired")
    OTHER_ELDERLY = "other", _("Other elderly")


class PartyStanding(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SUSPENDED = "suspended", _("Suspended")


class Health(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    LIMITED_MOBILITY = "limited", _("Limited mobility")


class MemberStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")


SKILLS = (
    ("法律", _("Law")),
    ("医疗", _("Medicine")),
    ("书画", _("Calligraphy and painting")),
    ("文艺", _("Performing arts")),
    ("宣讲", _("Lecturing")),
    ("调解", _("Mediation")),
    ("教育", _("Education")),
    ("科技", _("Science and technology")),
    ("摄影", _("Photography")),
    ("财会", _("Accounting")),
)


class Skill(models.Model):
    """A skill of the talent pool (人才资源库): 法律, 医疗, 书画, …"""

    name = models.CharField(_("name"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A party member. Exactly one organization holds the relation (`organization`) at a time."""

    name = models.CharField(_("name"), max_length=50)
    name_initials = models.CharField(
        _("pinyin initials"), max_length=50, blank=True, db_index=True, editable=False
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    birth_date = models.DateField(_("birth date"), db_index=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    joined_party_on = models.DateField(_("joined the party on"), null=True, blank=True)
    confirmed_on = models.DateField(_("full membership on"), null=True, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=MemberCategory.choices, default=MemberCategory.RETIRED
    )
    former_unit = models.CharField(_("former unit"), max_length=100, blank=True)
    former_post = models.CharField(_("former post"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    party_standing = models.CharField(
        _("party standing"),
        max_length=20,
        choices=PartyStanding.choices,
        default=PartyStanding.NORMAL,
    )
    lost_contact = models.BooleanField(_("lost contact"), default=False)
    lost_contact_since = models.DateField(_("lost contact since"), null=True, blank=True)
    is_mobile = models.BooleanField(_("mobile member"), default=False)
    mobile_to = models.CharField(_("gone to"), max_length=100, blank=True)
    health = models.CharField(
        _("health"), max_length=20, choices=Health.choices, default=Health.GOOD, db_index=True
    )
    skills = models.ManyToManyField(
        Skill, verbose_name=_("skills"), blank=True, related_name="members"
    )
    willing_to_volunteer = models.BooleanField(_("willing to volunteer"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MemberStatus.choices,
        default=MemberStatus.NORMAL,
        db_index=True,
    )
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organization relation"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    # 到社区报到: where and when the member registered with a community.
    registered_community = models.ForeignKey(
        "branches.Community",
        verbose_name=_("registered community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_members",
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["name_initials"])

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["name", "id"], name="member_roster_order"),
            # Prefix search on pinyin initials (LIKE 'wjg%'); the opclass matters on PostgreSQL
            # with a non-C collation and is ignored elsewhere.
            models.Index(
                fields=["name_initials"],
                name="member_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["category", "status"]),
            models.Index(fields=["registered_community", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_initials = pinyin_initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("members:detail", args=[self.pk])

    def age_on(self, day: datetime.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.id_number = normalize_id_number(self.id_number)
        self.phone = normalize_phone(self.phone)
        if self.id_number:
            problems = id_number_problems(
                self.id_number, birth_date=self.birth_date, gender=self.gender or None
            )
            if problems:
                errors["id_number"] = problems
        if self.phone and not phone_is_valid(self.phone):
            errors["phone"] = [
                _(
                    "Enter a mobile number (11 digits starting 13–19) or a landline like 0951-1234567."
                )
            ]
        if self.lost_contact and not self.lost_contact_since:
            errors["lost_contact_since"] = [_("Give the date since when contact was lost.")]
        if self.is_mobile and not self.mobile_to:
            errors["mobile_to"] = [_("Say where the mobile member has gone.")]
        if self.registered_community_id and not self.registered_on:
            errors["registered_on"] = [_("Give the date of registration with the community.")]
        if self.confirmed_on and self.joined_party_on and self.confirmed_on < self.joined_party_on:
            errors["confirmed_on"] = [_("Full membership cannot come before joining the party.")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_full_member(self) -> bool:
        return self.confirmed_on is not None

    @property
    def needs_home_delivery(self) -> bool:
        """行动不便 → 送学上门."""
        return self.health == Health.LIMITED_MOBILITY


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Returned")


class Transfer(models.Model):
    """A move of a member's organization relation: requested → approved → completed, or returned."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="transfers_in"
    )
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=TransferState.choices,
        default=TransferState.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=200, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["requested", "approved"]),
                name="one_open_transfer_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.from_organization} → {self.to_organization}"


class Participation(models.Model):
    """Taking part in a three-affinity group without moving the organization relation."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role in the group"), max_length=50, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "organization"], name="one_participation_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.organization}"


class Commendation(models.Model):
    """表彰: title, year, by whom."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="commendations")
    title = models.CharField(pgettext_lazy("commendation", "title"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    awarded_by = models.CharField(_("awarded by"), max_length=100)

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"
