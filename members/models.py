"""The retired party members' roster, after the national 党员信息采集 fields."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Kind
from core.history import HistoricalRecords
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
    # Blank for a member without one (出生日期 and 性别 are then entered); unique when given.
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
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
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="member_id_number_unique",
                violation_error_code="duplicate_id_number",
                violation_error_message=_("A member with this ID number is already on the roster."),
            )
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

    def validate_constraints(self, exclude=None) -> None:
        """A duplicate ID number is said on the ID number's field (the constraint is
        conditional, so Django reports it for the whole record)."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            others = [
                e for e in errors.pop(NON_FIELD_ERRORS, []) if e.code != "duplicate_id_number"
            ]
            if len(others) < len(exc.error_dict.get(NON_FIELD_ERRORS, [])):
                errors.setdefault("id_number", []).append(
                    _("A member with this ID number is already on the roster.")
                )
            if others:
                errors[NON_FIELD_ERRORS] = others
            raise ValidationError(errors) from exc

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

    history = HistoricalRecords()

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


class LeaderRole(models.TextChoices):
    PARTY_SECRETARY = "party_secretary", _("Party organization secretary")  # 党组织书记
    ACTIVITY_LEADER = "activity_leader", _("Activity leader")  # 活动带头人


class Participation(models.Model):
    """Taking part in a three-affinity group without moving the organization relation."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role in the group"), max_length=50, blank=True)
    # 两个带头人: the party organization's secretary and the activity leader of the group.
    leader = models.CharField(
        _("leader"), max_length=20, choices=LeaderRole.choices, blank=True, db_index=True
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    history = HistoricalRecords()

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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


# --- Care (走访慰问) ------------------------------------------------------------------------------

OLD_AGE = 80  # 高龄: computed from the birth date, never stored


class CareFlagKind(models.TextChoices):
    LIVES_ALONE = "alone", _("Lives alone")  # 独居
    ILL = "ill", _("Ill or in hospital")  # 患病/住院
    DISABLED = "disabled", _("Disabled")  # 失能
    HARDSHIP = "hardship", _("Hardship")  # 生活困难
    MISFORTUNE = "misfortune", _("Major misfortune")  # 重大变故


# Flags that make a member due a visit when nobody has visited for VISIT_INTERVAL_DAYS.
URGENT_FLAGS = (CareFlagKind.ILL, CareFlagKind.HARDSHIP)
VISIT_INTERVAL_DAYS = 30


class CareFlag(models.Model):
    """A reason to care for a member, from a day (and until a day, once it has passed).
    Visible to bureau staff and the member's secretary only."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="care_flags")
    kind = models.CharField(_("care flag"), max_length=20, choices=CareFlagKind.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care flag")
        verbose_name_plural = _("care flags")
        ordering = ["-since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=Q(until__isnull=True),
                name="one_open_care_flag_per_kind",
            )
        ]
        indexes = [models.Index(fields=["kind", "until"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()}"

    def clean(self) -> None:
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": _("The end cannot come before the start.")})


class VisitKind(models.TextChoices):
    FESTIVAL = "festival", _("Festival visit")  # 节日慰问
    BIRTHDAY = "birthday", _("Birthday visit")  # 生日/逢十寿辰
    POLITICAL_BIRTHDAY = "political_birthday", _("Political birthday visit")  # 政治生日
    HOSPITAL = "hospital", _("Hospital visit")  # 住院探望
    HARDSHIP = "hardship", _("Hardship assistance")  # 困难帮扶
    STUDY_DELIVERY = "study_delivery", _("Study delivered to the home")  # 送学上门


class CareVisit(models.Model):
    """走访慰问: one visit to a member, kept in the organization that held the relation then."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="care_visits")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="care_visits"
    )
    visited_on = models.DateField(_("visited on"), db_index=True)
    kind = models.CharField(_("kind of visit"), max_length=20, choices=VisitKind.choices)
    visitors = models.CharField(_("who went"), max_length=100)
    gifts = models.CharField(_("what was given"), max_length=200, blank=True)
    gift_value = models.DecimalField(
        _("value (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    needs = models.CharField(_("what the member needs"), max_length=300, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["member", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.visited_on:%Y-%m-%d} · {self.get_kind_display()}"

    def clean(self) -> None:
        if self.follow_up_due and not self.follow_up.strip():
            raise ValidationError({"follow_up": _("Say what is to be followed up.")})
        if self.follow_up_due and self.visited_on and self.follow_up_due < self.visited_on:
            raise ValidationError(
                {"follow_up_due": _("The follow-up cannot be due before the visit.")}
            )


# --- Party dues (党费) -----------------------------------------------------------------------------


FEN = Decimal("0.01")
DUES_THRESHOLD = Decimal("5000")
DUES_RATE_LOW = Decimal("0.005")
DUES_RATE_HIGH = Decimal("0.01")


def dues_by_rule(monthly_base) -> Decimal:
    """党费 of a retiree a month: 0.5% of the basic pension up to 5,000 元, 1% above — the
    rate applies to the whole base — rounded to the fen (half up) as published."""
    base = Decimal(str(monthly_base))
    rate = DUES_RATE_LOW if base <= DUES_THRESHOLD else DUES_RATE_HIGH
    return (base * rate).quantize(FEN, rounding=ROUND_HALF_UP)


class DuesMode(models.TextChoices):
    STANDARD = "standard", _("By the rule")
    EXEMPT = "exempt", _("Exempt")
    REDUCED = "reduced", _("Reduced")


class DuesBase(models.Model):
    """A member's dues base for a year: the monthly basic pension (a personal figure, masked),
    or a flat amount the organization approved (exempt: 0.00; reduced: the amount)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_bases")
    year = models.PositiveSmallIntegerField(_("year"))
    monthly_base = models.DecimalField(
        _("monthly basic pension (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    mode = models.CharField(
        _("dues"), max_length=20, choices=DuesMode.choices, default=DuesMode.STANDARD
    )
    flat_amount = models.DecimalField(
        _("flat monthly amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dues base")
        verbose_name_plural = _("dues bases")
        ordering = ["-year", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_dues_base_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.mode in (DuesMode.EXEMPT, DuesMode.REDUCED):
            if not self.reason.strip():
                errors["reason"] = [_("Give the reason for the exemption or reduction.")]
            if not self.approved_by.strip():
                errors["approved_by"] = [_("Say who approved the exemption or reduction.")]
        if self.mode == DuesMode.REDUCED and not self.flat_amount:
            errors["flat_amount"] = [_("Give the reduced monthly amount.")]
        if errors:
            raise ValidationError(errors)

    @property
    def monthly_dues(self) -> Decimal:
        """What the member pays a month this year: the flat amount when exempt or reduced,
        otherwise the rule (dues_by_rule)."""
        if self.mode == DuesMode.EXEMPT:
            return FEN * 0
        if self.mode == DuesMode.REDUCED:
            return Decimal(self.flat_amount).quantize(FEN, rounding=ROUND_HALF_UP)
        return dues_by_rule(self.monthly_base)


class DuesPayment(models.Model):
    """One payment: for `months` months from `first_month` (the first day of a month), in
    advance or late; the receipt number is unique."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="dues_payments"
    )
    first_month = models.DateField(_("first month paid for"))
    months = models.PositiveSmallIntegerField(
        _("months paid for"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    paid_on = models.DateField(_("paid on"))
    collected_by = models.CharField(_("collected by"), max_length=50)
    receipt_number = models.CharField(_("receipt number"), max_length=30, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-paid_on", "-pk"]
        indexes = [models.Index(fields=["member", "first_month"])]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.member} {self.amount}"

    def month_numbers(self) -> list[tuple[int, int]]:
        """(year, month) of every month this payment covers."""
        index = self.first_month.year * 12 + self.first_month.month - 1
        return [divmod(index + i, 12) for i in range(self.months)]

    def covered(self) -> list[tuple[int, int]]:
        return [(year, month + 1) for year, month in self.month_numbers()]


# --- Commendations of organizations and the two leaders ---------------------------------------


class CommendationLevel(models.TextChoices):
    CITY = "city", _("City level")  # 市级
    DISTRICT = "district", _("District level")  # 区级
    BUREAU = "bureau", _("Bureau level")  # 局级


class OrganizationCommendation(models.Model):
    """先进基层党组织, 示范党支部, …: a commendation of an organization (beside those of people)."""

    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="commendations"
    )
    title = models.CharField(pgettext_lazy("commendation", "title"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    awarded_by = models.CharField(_("awarded by"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=CommendationLevel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization commendation")
        verbose_name_plural = _("organization commendations")
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.title} ({self.year})"
