"""Reference data (districts, streets, communities, city departments) and the organization tree."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords

# --- Reference data ----------------------------------------------------------------------


class District(models.Model):
    """A county-level division of Yinchuan (兴庆区, 金凤区, …)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """A street office (街道) or town (镇) within a district."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("street office")
        verbose_name_plural = _("street offices")
        ordering = ["district__position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="street_unique_in_district")
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A community (社区, residents' committee) under a street office."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="communities")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["district__position", "street__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="community_unique_in_street")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.street_id and self.district_id and self.street.district_id != self.district_id:
            raise ValidationError({"street": _("The street office is not in this district.")})


class Department(models.Model):
    """A city department or unit (市直部门) whose retirees form an established branch."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("city department")
        verbose_name_plural = _("city departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


# --- Organizations -----------------------------------------------------------------------


class Kind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("Working committee")
    JOINT_COMMITTEE = "joint_committee", _("Joint party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    PARTY_GROUP = "party_group", _("Party group")
    COMMUNITY_ORG = "community_org", _("Community party organization")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    ELDERLY_ASSOCIATION = "elderly_association", _("Elderly association")
    ELDERLY_GROUP = "elderly_group", _("Elderly social group")
    ELDERLY_UNIVERSITY = "elderly_university", _("Elderly university")


PARTY_KINDS = frozenset(
    {
        Kind.WORKING_COMMITTEE,
        Kind.JOINT_COMMITTEE,
        Kind.GENERAL_BRANCH,
        Kind.BRANCH,
        Kind.PARTY_GROUP,
    }
)

# Which kind may sit under which; None stands for "at the top of the tree".
ALLOWED_PARENTS: dict[str, frozenset] = {
    Kind.WORKING_COMMITTEE: frozenset({None}),
    Kind.JOINT_COMMITTEE: frozenset({None, Kind.WORKING_COMMITTEE}),
    Kind.GENERAL_BRANCH: frozenset({None, Kind.WORKING_COMMITTEE, Kind.JOINT_COMMITTEE}),
    Kind.BRANCH: frozenset(
        {None, Kind.WORKING_COMMITTEE, Kind.JOINT_COMMITTEE, Kind.GENERAL_BRANCH}
    ),
    Kind.PARTY_GROUP: frozenset({Kind.BRANCH, Kind.GENERAL_BRANCH}),
    Kind.COMMUNITY_ORG: frozenset({None}),
    Kind.VOLUNTEER_TEAM: frozenset(
        {
            None,
            Kind.COMMUNITY_ORG,
            Kind.BRANCH,
            Kind.GENERAL_BRANCH,
            Kind.JOINT_COMMITTEE,
            Kind.ELDERLY_ASSOCIATION,
            Kind.ELDERLY_UNIVERSITY,
        }
    ),
    Kind.ELDERLY_ASSOCIATION: frozenset({None, Kind.COMMUNITY_ORG}),
    Kind.ELDERLY_GROUP: frozenset({None, Kind.COMMUNITY_ORG, Kind.ELDERLY_ASSOCIATION}),
    Kind.ELDERLY_UNIVERSITY: frozenset({None, Kind.ELDERLY_UNIVERSITY}),
}


class Category(models.TextChoices):
    ESTABLISHED = "established", _("Established")
    THREE_AFFINITY = "three_affinity", _("Three-affinity")


class Affinity(models.TextChoices):
    RESIDENCE = "residence", _("Residence affinity")
    PROFESSION = "profession", _("Profession affinity")
    INTEREST = "interest", _("Interest affinity")


class Brand(models.TextChoices):
    SILVER_PIONEER = "silver_pioneer", _("Silver Pioneer")
    SILVER_SHINE = "silver_shine", _("Silver Shines on Yinchuan")
    SILVER_GLOW = "silver_glow", _("Silver Glow")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


SIX_HAVES = (
    ("has_theme", _("Annual theme")),
    ("has_plan", _("Work plan")),
    ("has_venue", _("Activity venue")),
    ("has_team", _("Working team")),
    ("has_funding", _("Funding")),
    ("has_brand", _("Distinctive brand")),
)


PATH_STEP = 8  # digits per level in `path`


class OrganizationQuerySet(models.QuerySet):
    """Who may see which organizations, said once (STYLE: a scoped model says it itself)."""

    def visible_to(self, user) -> OrganizationQuerySet:
        """The organizations `user` may see (see `visible_q`)."""
        return self.filter(visible_q(user))

    def subtree(self, organization: Organization) -> OrganizationQuerySet:
        """`organization` and everything below it (the materialized path)."""
        return self.filter(in_subtree(organization))


def visible_q(user, prefix: str = "") -> Q:
    """Who sees which organizations, as one condition on rows whose organization is at
    `prefix` ("" on Organization itself, "organization" on a model with that foreign key):
    bureau staff (and the system actor), supervisors, liaisons and viewers see every
    organization; a secretary their own organization and its subtree; anyone else (no role,
    inactive, anonymous) nothing."""
    nothing = Q(pk__in=[])
    if not (user and user.is_authenticated):
        return nothing
    if getattr(user, "is_system", False):
        return Q()
    if not user.is_active:
        return nothing
    if user.is_bureau_staff or user.is_supervisor or user.is_liaison or user.is_viewer:
        return Q()
    if user.is_secretary:
        return in_subtree(user.organization, prefix)
    return nothing


def in_subtree(organization: Organization, prefix: str = "") -> Q:
    """A filter for rows whose organization lies in `organization`'s subtree:
    `in_subtree(org)` on Organization itself, `in_subtree(org, "organization")` on a model with
    an `organization` foreign key, `in_subtree(org, "member__organization")` further away."""
    field = f"{prefix}__path__startswith" if prefix else "path__startswith"
    return Q(**{field: organization.path})


class Organization(models.Model):
    """Any node of the tree: party organizations of retired cadres and the alliance's partners.

    `path` is a materialized path of zero-padded ids ("00000001/00000017/"), kept by
    `branches.services`; a subtree is `path__startswith=node.path`.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, blank=True, db_index=True
    )
    affinity = models.CharField(_("affinity"), max_length=20, choices=Affinity.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("city department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    directly_managed = models.BooleanField(_("directly managed"), default=False, db_index=True)
    pilot_year = models.PositiveSmallIntegerField(_("pilot year"), null=True, blank=True)
    demonstration_year = models.PositiveSmallIntegerField(
        _("demonstration site year"), null=True, blank=True
    )
    annual_theme = models.CharField(_("annual theme"), max_length=200, blank=True)
    brand = models.CharField(_("brand"), max_length=20, choices=Brand.choices, blank=True)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_for",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    # 六有 — the standardization checklist, each item with its evidence.
    has_theme = models.BooleanField(_("has an annual theme"), default=False)
    has_theme_note = models.CharField(_("evidence"), max_length=200, blank=True)
    has_plan = models.BooleanField(_("has a work plan"), default=False)
    has_plan_note = models.CharField(_("evidence"), max_length=200, blank=True)
    has_venue = models.BooleanField(_("has an activity venue"), default=False)
    has_venue_note = models.CharField(_("evidence"), max_length=200, blank=True)
    has_team = models.BooleanField(_("has a working team"), default=False)
    has_team_note = models.CharField(_("evidence"), max_length=200, blank=True)
    has_funding = models.BooleanField(_("has funding"), default=False)
    has_funding_note = models.CharField(_("evidence"), max_length=200, blank=True)
    has_brand = models.BooleanField(_("has a distinctive brand"), default=False)
    has_brand_note = models.CharField(_("evidence"), max_length=200, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="organization_name_unique_under_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="organization_name_unique_at_top",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "category"]),
            models.Index(fields=["district", "community"]),
            # The list's and a parent's children's order (status, name, pk): a page of 25
            # read from the index, not a sort of every organization.
            models.Index(fields=["status", "name", "id"], name="organization_list_order"),
            models.Index(
                fields=["parent", "status", "name", "id"], name="organization_children_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("branches:detail", args=[self.pk])

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def is_community_kind(self) -> bool:
        return self.kind == Kind.COMMUNITY_ORG

    def _six_have(self, field: str) -> tuple[bool, str]:
        """(done, evidence) of one 六有 item. 经费有保障 is also met by an allocation this year
        in the funds ledger: `funded_this_year`, annotated set-wise by
        branches.selectors.organization_list_for (absent elsewhere: the recorded flag only)."""
        done, evidence = getattr(self, field), getattr(self, f"{field}_note")
        if field == "has_funding" and getattr(self, "funded_this_year", False):
            return True, evidence or str(_("An allocation this year in the funds ledger"))
        return done, evidence

    @property
    def six_haves(self) -> list[tuple[str, str, bool, str]]:
        """(field, label, done, evidence) for each of the 六有 items."""
        return [(field, label, *self._six_have(field)) for field, label in SIX_HAVES]

    @property
    def six_haves_share(self) -> float:
        return sum(1 for field, _label in SIX_HAVES if self._six_have(field)[0]) / len(SIX_HAVES)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/") if part][:-1]

    def clean(self) -> None:
        errors: dict[str, list] = {}
        parent = self.parent if self.parent_id else None
        allowed = ALLOWED_PARENTS.get(self.kind, frozenset())
        parent_kind = parent.kind if parent else None
        if self.kind and parent_kind not in allowed:
            if parent is None:
                errors.setdefault("parent", []).append(
                    _("A %(kind)s must sit under a parent organization.")
                    % {"kind": self.get_kind_display()}
                )
            else:
                errors.setdefault("parent", []).append(
                    _("A %(kind)s cannot sit under a %(parent_kind)s.")
                    % {"kind": self.get_kind_display(), "parent_kind": parent.get_kind_display()}
                )
        if parent is not None and self.pk and self.pk in [*parent.ancestor_ids(), parent.pk]:
            errors.setdefault("parent", []).append(
                _("An organization cannot sit under itself or under one of its own parts.")
            )
        if self.kind in PARTY_KINDS and self.kind != Kind.WORKING_COMMITTEE:
            if not self.category:
                errors.setdefault("category", []).append(
                    _("Choose whether this party organization is established or three-affinity.")
                )
        elif self.kind and self.category:
            errors.setdefault("category", []).append(_("Only party organizations have a category."))
        # A joint committee or general branch gathers groups of all three affinities.
        if (
            self.category == Category.THREE_AFFINITY
            and not self.affinity
            and self.kind in (Kind.BRANCH, Kind.PARTY_GROUP)
        ):
            errors.setdefault("affinity", []).append(
                _("A three-affinity organization needs its affinity.")
            )
        if self.category != Category.THREE_AFFINITY and self.affinity:
            errors.setdefault("affinity", []).append(
                _("Only three-affinity organizations have an affinity.")
            )
        if (
            self.community_id
            and self.district_id
            and self.community.district_id != self.district_id
        ):
            errors.setdefault("community", []).append(
                _("The community is not in the chosen district.")
            )
        if self.status == Status.DISSOLVED and not self.dissolved_on:
            errors.setdefault("dissolved_on", []).append(_("Give the date of dissolution."))
        if errors:
            raise ValidationError(errors)


class CommitteeTerm(models.Model):
    """One term of an organization's committee (支委会): 3 years, 5 for community organizations."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="committee_terms"
    )
    started_on = models.DateField(_("term started on"))
    ends_on = models.DateField(_("term ends on"))
    extended_until = models.DateField(_("extension approved until"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=200, blank=True)
    is_current = models.BooleanField(_("current term"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["organization", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_current=True),
                name="one_current_term_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.started_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class Position(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZATION = "organization", _("Organization committee member")
    PUBLICITY = "publicity", _("Publicity committee member")
    DISCIPLINE = "discipline", _("Discipline inspection committee member")


class CommitteePosition(models.Model):
    """A seat on a committee term, held by a person (a member record once it exists)."""

    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="positions")
    position = models.CharField(_("position"), max_length=30, choices=Position.choices)
    person_name = models.CharField(_("name"), max_length=50)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_positions",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee position")
        verbose_name_plural = _("committee positions")
        ordering = ["term", "position"]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.person_name}"


# --- Elections (换届选举) --------------------------------------------------------------------


class ElectionState(models.TextChoices):
    PLANNED = "planned", _("Plan awaiting approval")
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    RESULTS_ENTERED = "results_entered", _("Result awaiting approval")
    CLOSED = "closed", _("Result approved")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ELECTION_STATES = (
    ElectionState.PLANNED,
    ElectionState.PLAN_APPROVED,
    ElectionState.RESULTS_ENTERED,
)


class Election(models.Model):
    """An organization's committee election (换届选举): the secretary's plan, the bureau's
    approval of it, the result entered after the vote, the bureau's approval of the result —
    which ends the old term and starts the new one with its seats (branches.elections)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="elections",
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ElectionState.choices,
        default=ElectionState.PLANNED,
        db_index=True,
    )
    old_term = models.ForeignKey(
        CommitteeTerm,
        verbose_name=_("term ending"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_term = models.OneToOneField(
        CommitteeTerm,
        verbose_name=_("new term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="election",
    )
    planned_on = models.DateField(_("election date"))
    seats = models.PositiveSmallIntegerField(_("number of seats"))
    plan_note = models.TextField(_("plan"), blank=True)
    eligible_voters = models.PositiveIntegerField(_("members entitled to vote"), default=0)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    voters_present = models.PositiveIntegerField(_("voting members present"), null=True, blank=True)
    plan_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("plan approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    plan_decided_at = models.DateTimeField(_("plan approved at"), null=True, blank=True)
    result_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("result approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result_decided_at = models.DateTimeField(_("result approved at"), null=True, blank=True)
    decision_note = models.CharField(_("bureau's comment"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-planned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(state__in=["planned", "plan_approved", "results_entered"]),
                name="one_open_election_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.planned_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("branches:election_detail", args=[self.organization_id, self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ELECTION_STATES


class ElectionCandidate(models.Model):
    """A candidate (full members only), the votes they received and the seat they won."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="election_candidacies",
    )
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    position = models.CharField(
        _("elected to"), max_length=30, choices=Position.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["election", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="candidate_once")
        ]

    def __str__(self) -> str:
        return str(self.member)

    @property
    def is_elected(self) -> bool:
        return bool(self.position)


# --- Funds ledger (经费保障) ------------------------------------------------------------------
# Allocations received and spending, entered once and never edited or deleted: a correction is
# a reversing entry (`reverses`). Workflows in branches/funds.py.


class FundKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation received")
    EXPENSE = "expense", _("Spending")


class FundSource(models.TextChoices):
    BUREAU = "bureau", _("The bureau")  # 老干部局
    DEPARTMENT = "department", _("A city department")
    COMMUNITY = "community", _("The community")
    OTHER = "other", _("Other")


class ExpenseCategory(models.TextChoices):
    ACTIVITIES = "activities", _("Activities")  # 活动
    STUDY = "study", _("Study materials")  # 学习资料
    CARE = "care", _("Visits of care")  # 慰问
    VENUE = "venue", _("Venue")  # 阵地
    OTHER = "other", _("Other")  # 其他


def receipt_path(instance, filename: str) -> str:
    # The stored name is chosen by the portal (core.uploads), never the uploaded one.
    return f"funds/{instance.receipt_stored_name}"


class FundEntryImmutable(Exception):
    """An entry of the funds ledger is never changed or deleted (reverse it instead)."""


class FundEntry(models.Model):
    """One line of an organization's funds ledger (经费台账), amounts in 元."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="fund_entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FundKind.choices)
    source = models.CharField(
        _("received from"), max_length=20, choices=FundSource.choices, blank=True
    )
    category = models.CharField(
        _("spending category"), max_length=20, choices=ExpenseCategory.choices, blank=True
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    payee = models.CharField(_("payer or payee"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, max_length=255, blank=True)
    receipt_name = models.CharField(_("receipt file name"), max_length=200, blank=True)
    receipt_type = models.CharField(max_length=100, blank=True)
    receipt_stored_name = models.CharField(max_length=100, blank=True, editable=False)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funds ledger entry")
        verbose_name_plural = _("funds ledger entries")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organization", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind="allocation") & ~Q(source="") & Q(category=""))
                | (Q(kind="expense") & Q(source="") & ~Q(category="")),
                name="fund_entry_source_or_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FundEntryImmutable("a funds ledger entry is never changed; reverse it")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FundEntryImmutable("a funds ledger entry is never deleted; reverse it")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def signed_amount(self):
        """What the entry does to the balance: + money in, − money out."""
        sign = 1 if self.kind == FundKind.ALLOCATION else -1
        return self.amount * (-sign if self.is_reversal else sign)

    def clean(self) -> None:
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("The amount must be more than zero.")
        if self.kind == FundKind.ALLOCATION and not self.source:
            errors["source"] = _("Say where the allocation came from.")
        if self.kind == FundKind.EXPENSE and not self.category:
            errors["category"] = _("Choose the spending category.")
        if errors:
            raise ValidationError(errors)


class FundBudget(models.Model):
    """An organization's budget for a year (元)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="fund_budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_budget_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"
