"""首页 figures (KPIs) and chart data, computed from the records through each app's selectors.

Nothing here is stored by hand: every figure is a query over the records (through the owning
app's selector where there is one). A figure whose app has not landed yet is `None` and shows
as "—" with a note, never as an invented number.

The alliance-wide aggregates (staff and viewer 首页, charts) are cached per year under a
generation number that any save or delete of the records beneath them bumps (see
`connect_invalidation`), so a change shows at once and an unchanged alliance costs no queries.
"""

from __future__ import annotations

import datetime
import importlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance import selectors as alliance_selectors
from assessment.models import Assessment
from branches.models import Brand, Category, District, Kind, Organization, Status
from members.filters import AGE_BAND_CHOICES, directly_managed_q
from members.models import MemberStatus
from members.selectors import AGE_BANDS, age_range_q

DASH = "—"
CACHE_SECONDS = 600
GENERATION_KEY = "alliance:dashboard:generation"
# The models whose rows the alliance-wide figures are computed from.
SOURCE_MODELS = (
    "branches.Organization",
    "branches.AllianceMembership",
    "branches.AnnualTarget",
    "branches.CommitteeTerm",
    "branches.CommitteePosition",
    "members.Member",
    "members.Participation",
    "activities.Activity",
    "activities.ActivityHost",
    "activities.Attendance",
    "activities.RequiredFrequency",
    "venues.Booking",
    "venues.Venue",
    "assessment.Assessment",
    "assessment.Round",
)
SIX_MONTHS = datetime.timedelta(days=183)


def optional(module: str, name: str):
    """`module.name` when that app has landed it, else None (the figure then shows "—")."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def model_or_none(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def url_or_none(name: str, query: dict | None = None, args=None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def year_range(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[1 January 00:00, next 1 January 00:00) in local time."""
    tz = timezone.get_default_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=tz),
        datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def reference_day(year: int) -> datetime.date:
    """31 December of `year`, or today while the year runs."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


# --- Cache -------------------------------------------------------------------------------------


def _generation() -> int:
    return cache.get(GENERATION_KEY) or 0


def invalidate(**_kwargs) -> None:
    """Bump the generation: every cached aggregate is stale from now on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def connect_invalidation() -> None:
    for label in SOURCE_MODELS:
        model = model_or_none(label)
        if model is None:
            continue
        uid = f"home.dashboard:{label}"
        post_save.connect(invalidate, sender=model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(invalidate, sender=model, dispatch_uid=uid + ":delete", weak=False)


connect_invalidation()


def cached(name: str, year: int, compute):
    language = translation.get_language()
    key = f"alliance:dashboard:{name}:{year}:{language}:{timezone.localdate()}:{_generation()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


# --- Alliance-wide figures ---------------------------------------------------------------------


def _organization_figures(year: int) -> dict[str, Any]:

    active = Q(status=Status.ACTIVE)
    established = active & Q(category=Category.ESTABLISHED)
    affinity = active & Q(category=Category.THREE_AFFINITY)
    figures = Organization.objects.aggregate(
        established_branches=Count("pk", filter=established & Q(kind=Kind.BRANCH)),
        directly_managed_branches=Count(
            "pk", filter=established & Q(kind=Kind.BRANCH, directly_managed=True)
        ),
        affinity_joint_committees=Count("pk", filter=affinity & Q(kind=Kind.JOINT_COMMITTEE)),
        affinity_general_branches=Count("pk", filter=affinity & Q(kind=Kind.GENERAL_BRANCH)),
        affinity_branches=Count("pk", filter=affinity & Q(kind=Kind.BRANCH)),
        affinity_groups=Count("pk", filter=affinity & Q(kind=Kind.PARTY_GROUP)),
        pilots=Count("pk", filter=active & Q(pilot_year__isnull=False)),
    )
    alliance_organizations = optional("branches.selectors", "alliance_organizations")
    figures["alliance_organizations"] = (
        alliance_organizations(reference_day(year)).count() if alliance_organizations else None
    )
    AnnualTarget = model_or_none("branches.AnnualTarget")
    target = (
        AnnualTarget.objects.filter(year=year)
        .values_list("organizations_target", flat=True)
        .first()
        if AnnualTarget
        else None
    )
    figures["alliance_target"] = target
    Venue = model_or_none("venues.Venue")
    figures["demonstration_sites"] = (
        Venue.objects.filter(is_active=True, demonstration_year__isnull=False).count()
        if Venue
        else None
    )
    return figures


def member_figure_filters() -> dict[str, Q]:
    """What each member figure counts, beyond normal status (the roster's filters agree:
    members.filters.MemberFilter's organization_category, directly_managed, aged_70).

    Members are counted where their relation is held (DOMAIN.md's 1,717 / 234 / 3,383 are
    disjoint populations); taking part in a three-affinity group does not make an
    established branch's member a three-affinity member.
    """

    established = Q(organization__category=Category.ESTABLISHED)
    directly = directly_managed_q()
    return {
        "established_members": established,
        "directly_managed_members": directly,
        "directly_managed_aged_70": directly & age_range_q(70, None),
        "affinity_members": Q(organization__category=Category.THREE_AFFINITY),
    }


def _member_figures() -> dict[str, Any]:
    Member = model_or_none("members.Member")
    if Member is None:
        return {}

    members = Member.objects.filter(status=MemberStatus.NORMAL)
    figures = members.aggregate(
        **{name: Count("pk", filter=q) for name, q in member_figure_filters().items()},
        members=Count("pk"),
    )
    count = figures["directly_managed_members"]
    figures["directly_managed_aged_70_share"] = (
        figures["directly_managed_aged_70"] / count if count else None
    )
    return figures


def _activity_figures(year: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    joint_activity_count = optional("activities.selectors", "joint_activity_count")
    if joint_activity_count is not None:
        figures["joint_activities"] = joint_activity_count(year=year)
        Activity = model_or_none("activities.Activity")
        figures["joint_activities_total"] = Activity.objects.filter(
            is_joint=True, status="held"
        ).count()
    participation_rate = optional("activities.selectors", "participation_rate")
    if participation_rate is not None:
        result = participation_rate(start=datetime.date(year, 1, 1), end=reference_day(year))
        figures["participation_rate"] = result.rate
    figures["compliance_share"] = _compliance_share(year)
    return figures


def _compliance_share(year: int) -> float | None:
    """Share of organizations with a 三会一课 requirement that have missed no ended period."""
    compliance_board = optional("activities.selectors", "compliance_board")
    RequiredFrequency = model_or_none("activities.RequiredFrequency")
    if compliance_board is None or RequiredFrequency is None:
        return None

    organizations = list(
        Organization.objects.filter(
            status=Status.ACTIVE,
            kind__in=RequiredFrequency.objects.values("organization_kind"),
        ).only("pk", "kind", "path", "founded_on")
    )
    if not organizations:
        return None
    _types, summaries = compliance_board(organizations, year=year, as_of=reference_day(year))
    met = sum(1 for summary in summaries if not summary.overdue)
    return met / len(summaries)


def _venue_figures(year: int) -> dict[str, Any]:
    shared_use_count = optional("venues.selectors", "shared_use_count")
    visitors_total = optional("venues.selectors", "visitors_total")
    if shared_use_count is None or visitors_total is None:
        return {}
    return {
        "shared_venue_uses": shared_use_count(year),
        "shared_venue_uses_total": shared_use_count(),
        "venue_visitors": visitors_total(year),
    }


def grade_year(year: int) -> int | None:
    """The latest year up to `year` with a finalized assessment round (grades are final only
    then; this year's round is usually still open)."""
    Round = model_or_none("assessment.Round")
    if Round is None:
        return None
    return (
        Round.objects.filter(year__lte=year, state="finalized")
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def grade_counts(year: int) -> dict[str, int] | None:
    """{grade: organizations} of `year`'s finalized rounds (the assessment results list's
    figures: assessment.selectors.grade_distribution)."""
    grade_distribution = optional("assessment.selectors", "grade_distribution")
    if grade_distribution is None:
        return None
    return {row["grade"]: row["count"] for row in grade_distribution(year)}


def alliance_figures(year: int) -> dict[str, Any]:
    """Every alliance-wide figure of `year` (raw numbers; None = that app has not landed)."""

    def compute():
        figures: dict[str, Any] = {}
        figures.update(_organization_figures(year))
        figures.update(_member_figures())
        figures.update(_activity_figures(year))
        figures.update(_venue_figures(year))
        figures["grade_year"] = grade_year(year)
        figures["grades"] = grade_counts(figures["grade_year"] or year)
        return figures

    return cached("figures", year, compute)


# --- KPI tiles -----------------------------------------------------------------------------------


@dataclass
class Kpi:
    name: str
    label: str
    value: Any
    url: str | None = None
    kind: str = "count"  # count | percent | ratio
    note: str = ""
    target: Any = None

    @property
    def display(self) -> str:
        if self.value is None:
            return DASH
        if self.kind == "percent":
            return f"{float(self.value) * 100:.1f}%"
        return str(self.value)


@dataclass
class KpiGroup:
    title: str
    kpis: list[Kpi] = field(default_factory=list)


def _not_there(what: str) -> str:
    return _("Not available yet: the %(what)s records are still being built.") % {"what": what}


def staff_kpis(user, year: int) -> list[KpiGroup]:
    """The staff and viewer 首页's figures, grouped as the bureau reports them."""
    f = alliance_figures(year)
    members_note = "" if "members" in f else _not_there(_("members"))
    activity_note = "" if "joint_activities" in f else _not_there(_("activities"))
    venue_note = "" if "shared_venue_uses" in f else _not_there(_("venues"))
    branches = "branches:list"
    members = "members:list"
    living = {"status": "normal"}  # the member figures count living members, normal status
    year_query = {"year": year}
    held_in_year = {"status": "held", "year": year}
    approved_in_year = {
        "status": "approved",
        "date_from": f"{year}-01-01",
        "date_to": f"{year}-12-31",
    }

    needs_attention_count = optional("branches.selectors", "needs_attention_count")
    # Staff and viewers see every organization, so the count is the same for all of them.
    needs_attention = (
        cached("needs_attention", year, lambda: needs_attention_count(user))
        if needs_attention_count
        else None
    )

    groups = [
        KpiGroup(
            _("Established branches"),
            [
                Kpi(
                    "established_branches",
                    _("Established branches"),
                    f["established_branches"],
                    url_or_none(
                        branches, {"kind": "branch", "category": "established", "status": "active"}
                    ),
                ),
                Kpi(
                    "established_members",
                    _("Their members"),
                    f.get("established_members"),
                    url_or_none(members, {**living, "organization_category": "established"}),
                    note=members_note,
                ),
                Kpi(
                    "directly_managed_branches",
                    _("Directly managed branches"),
                    f["directly_managed_branches"],
                    url_or_none(
                        branches,
                        {
                            "kind": "branch",
                            "category": "established",
                            "directly_managed": "yes",
                            "status": "active",
                        },
                    ),
                ),
                Kpi(
                    "directly_managed_members",
                    _("Members of directly managed branches"),
                    f.get("directly_managed_members"),
                    url_or_none(members, {**living, "directly_managed": "yes"}),
                    note=members_note,
                ),
                Kpi(
                    "directly_managed_aged_70_share",
                    _("Of them aged 70 and over"),
                    f.get("directly_managed_aged_70_share"),
                    url_or_none(members, {**living, "directly_managed": "yes", "aged_70": "on"}),
                    kind="percent",
                    note=members_note,
                ),
            ],
        ),
        KpiGroup(
            _("Three-affinity organizations"),
            [
                Kpi(
                    "affinity_joint_committees",
                    _("Joint party committees"),
                    f["affinity_joint_committees"],
                    url_or_none(
                        branches,
                        {
                            "kind": "joint_committee",
                            "category": "three_affinity",
                            "status": "active",
                        },
                    ),
                ),
                Kpi(
                    "affinity_general_branches",
                    _("General branches"),
                    f["affinity_general_branches"],
                    url_or_none(
                        branches,
                        {
                            "kind": "general_branch",
                            "category": "three_affinity",
                            "status": "active",
                        },
                    ),
                ),
                Kpi(
                    "affinity_branches",
                    _("Branches"),
                    f["affinity_branches"],
                    url_or_none(
                        branches,
                        {"kind": "branch", "category": "three_affinity", "status": "active"},
                    ),
                ),
                Kpi(
                    "affinity_groups",
                    _("Functional party groups"),
                    f["affinity_groups"],
                    url_or_none(
                        branches,
                        {"kind": "party_group", "category": "three_affinity", "status": "active"},
                    ),
                ),
                Kpi(
                    "affinity_members",
                    _("Their members"),
                    f.get("affinity_members"),
                    url_or_none(members, {**living, "organization_category": "three_affinity"}),
                    note=members_note,
                ),
            ],
        ),
        KpiGroup(
            _("The alliance"),
            [
                Kpi(
                    "alliance_organizations",
                    _("Organizations in the alliance"),
                    f["alliance_organizations"],
                    url_or_none(branches, {"in_alliance": "yes"}),
                    target=f["alliance_target"],
                ),
                Kpi(
                    "alliance_target",
                    _("This year's target"),
                    f["alliance_target"],
                    url_or_none("alliance:targets"),
                    note=""
                    if f["alliance_target"] is not None
                    else _("No target set for this year."),
                ),
                Kpi(
                    "pilots",
                    _("Pilot organizations"),
                    f["pilots"],
                    url_or_none(branches, {"pilot": "yes"}),
                ),
                Kpi(
                    "demonstration_sites",
                    _("Demonstration venue sites"),
                    f["demonstration_sites"],
                    url_or_none("venues:list", {"demonstration": "yes"}),
                ),
                Kpi(
                    "needs_attention",
                    _("Organizations needing attention"),
                    needs_attention,
                    url_or_none(branches, {"needs_attention": "yes", "status": "active"}),
                ),
            ],
        ),
        KpiGroup(
            _("Activities and venues this year"),
            [
                Kpi(
                    "joint_activities",
                    _("Joint activities"),
                    f.get("joint_activities"),
                    url_or_none("activities:list", {"joint": "on", **held_in_year}),
                    note=activity_note,
                ),
                Kpi(
                    "joint_activities_total",
                    _("Joint activities, all years"),
                    f.get("joint_activities_total"),
                    url_or_none("activities:list", {"joint": "on", "status": "held"}),
                    note=activity_note,
                ),
                Kpi(
                    "shared_venue_uses",
                    _("Shared venue uses"),
                    f.get("shared_venue_uses"),
                    url_or_none("venues:bookings", {"shared": "yes", **approved_in_year}),
                    note=venue_note,
                ),
                Kpi(
                    "shared_venue_uses_total",
                    _("Shared venue uses, all years"),
                    f.get("shared_venue_uses_total"),
                    url_or_none("venues:bookings", {"shared": "yes", "status": "approved"}),
                    note=venue_note,
                ),
                Kpi(
                    "venue_visitors",
                    _("Visitors"),
                    f.get("venue_visitors"),
                    url_or_none("venues:stats", year_query),
                    note=venue_note,
                ),
                Kpi(
                    "participation_rate",
                    _("Participation rate"),
                    f.get("participation_rate"),
                    url_or_none("activities:list", held_in_year),
                    kind="percent",
                    note=activity_note,
                ),
                Kpi(
                    "compliance_share",
                    _("Organizations meeting their meeting requirements"),
                    f.get("compliance_share"),
                    url_or_none("activities:compliance", year_query),
                    kind="percent",
                    note=activity_note,
                ),
            ],
        ),
    ]
    grades = f.get("grades")
    graded_in = f.get("grade_year") or year
    grade_group = KpiGroup(_("Assessment grades %(year)s") % {"year": graded_in})
    for value, label in _grade_choices():
        grade_group.kpis.append(
            Kpi(
                f"grade_{value}",
                str(label),
                None if grades is None else grades.get(value, 0),
                url_or_none("assessment:results", {"year": graded_in, "grade": value}),
                note="" if grades is not None else _not_there(_("assessment")),
            )
        )
    groups.append(grade_group)
    return groups


def _grade_choices():
    Grade = optional("assessment.models", "Grade")
    if Grade is None:
        return [
            ("excellent", _("Excellent")),
            ("good", _("Good")),
            ("pass", _("Pass")),
            ("fail", _("Fail")),
        ]
    return list(Grade.choices)


# --- Charts --------------------------------------------------------------------------------------


def _activities_by_month_and_brand(year: int) -> dict | None:
    Activity = model_or_none("activities.Activity")
    if Activity is None:
        return None

    first, last = year_range(year)
    rows = (
        Activity.objects.filter(status="held", start__gte=first, start__lt=last)
        .annotate(month=ExtractMonth("start", tzinfo=timezone.get_default_timezone()))
        .values("month", "brand")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(row["month"], row["brand"]): row["n"] for row in rows}
    series = [(value, str(label)) for value, label in Brand.choices] + [("", _("No brand"))]
    return {
        "labels": [_("Month %(month)s") % {"month": m} for m in range(1, 13)],
        "datasets": [
            {"label": label, "data": [counts.get((m, value), 0) for m in range(1, 13)]}
            for value, label in series
        ],
    }


def members_by_age_band() -> dict | None:
    Member = model_or_none("members.Member")
    if Member is None:
        return None

    counts = Member.objects.filter(status=MemberStatus.NORMAL).aggregate(
        **{band: Count("pk", filter=age_range_q(low, high)) for band, low, high in AGE_BANDS}
    )
    labels = dict(AGE_BAND_CHOICES)
    return {
        "labels": [str(labels[band]) for band, _low, _high in AGE_BANDS],
        "keys": [band for band, _low, _high in AGE_BANDS],
        "datasets": [{"label": _("Members"), "data": [counts[band] for band, _l, _h in AGE_BANDS]}],
    }


def _organizations_by_district_and_kind() -> dict:

    rows = (
        Organization.objects.filter(status=Status.ACTIVE)
        .values("district__name", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(row["district__name"], row["kind"]): row["n"] for row in rows}
    districts = list(District.objects.values_list("name", flat=True))
    columns = [*districts, None] if any(d is None for d, _k in counts) else districts
    kinds = [(value, label) for value, label in Kind.choices if any(k == value for _d, k in counts)]
    return {
        "labels": [d or _("No district") for d in columns],
        "datasets": [
            {"label": str(label), "data": [counts.get((d, value), 0) for d in columns]}
            for value, label in kinds
        ],
    }


def _assessment_grades(year: int) -> dict | None:
    grades = grade_counts(grade_year(year) or year)
    if grades is None:
        return None
    choices = _grade_choices()
    return {
        "labels": [str(label) for _value, label in choices],
        "datasets": [
            {"label": _("Organizations"), "data": [grades.get(value, 0) for value, _l in choices]}
        ],
    }


def chart_data(year: int) -> OrderedDict:
    """The four charts' numbers (Chart.js `data` objects); None where the app has not landed."""

    def compute():
        return OrderedDict(
            activities=_activities_by_month_and_brand(year),
            members=members_by_age_band(),
            organizations=_organizations_by_district_and_kind(),
            grades=_assessment_grades(year),
        )

    return cached("charts", year, compute)


# --- A secretary's, a supervisor's and a liaison's 首页 ------------------------------------------


def secretary_panel(user, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Only the secretary's organization and its subtree: nothing of any other organization."""
    today = today or timezone.localdate()
    organization = user.organization
    subtree = Q(path__startswith=organization.path)
    panel: dict[str, Any] = {"organization": organization}

    overdue_compliance = optional("activities.selectors", "overdue_compliance")
    panel["overdue"] = overdue_compliance(user, today) if overdue_compliance else None

    Booking = model_or_none("venues.Booking")
    if Booking is not None:
        panel["bookings"] = list(
            Booking.objects.filter(
                organization__path__startswith=organization.path,
                status__in=("requested", "approved"),
                end__gte=timezone.now(),
            )
            .select_related("room__venue", "organization")
            .order_by("start")[:5]
        )
    else:
        panel["bookings"] = None

    with_warnings = optional("branches.selectors", "with_warnings")
    warning_messages = optional("branches.selectors", "warning_messages")
    warnings = []
    if with_warnings and warning_messages:
        organizations = with_warnings(
            Organization.objects.filter(subtree, status=Status.ACTIVE).order_by("path")
        )
        for org in organizations:
            for message in warning_messages(org):
                warnings.append((org, message))
    panel["warnings"] = warnings

    panel["inactive_members"] = _members_without_attendance(user, today)
    panel["open_needs"] = alliance_selectors.open_needs_near(user, organization, today)
    return panel


def _members_without_attendance(user, today: datetime.date):
    """Members of the subtree with no 'present' attendance in the last six months."""
    Attendance = model_or_none("activities.Attendance")
    members_for = optional("members.selectors", "members_for")
    if Attendance is None or members_for is None:
        return None

    since = timezone.make_aware(datetime.datetime.combine(today - SIX_MONTHS, datetime.time.min))
    attended = Attendance.objects.filter(
        member=OuterRef("pk"), status="present", activity__start__gte=since
    )
    members = (
        members_for(user)
        .filter(organization__path__startswith=user.organization.path, status=MemberStatus.NORMAL)
        .exclude(Exists(attended))
        .select_related("organization")
        .order_by("organization__path", "name")
    )
    return {"count": members.count(), "first": list(members[:10])}


def supervisor_panel(user) -> dict[str, Any]:
    """The supervisor's assignments, and how far each assessment has been scored."""
    Assignment = model_or_none("assessment.Assignment")
    if Assignment is None:
        return {"assignments": None}

    assignments = list(
        Assignment.objects.filter(supervisors=user)
        .select_related("round", "organization")
        .order_by("-round__year", "round__title", "organization__path")
    )
    assessments = {
        (a.round_id, a.organization_id): a
        for a in Assessment.objects.filter(
            round__in={a.round_id for a in assignments},
            organization__in={a.organization_id for a in assignments},
        )
        .select_related("rubric")
        .annotate(
            scored=Count("scores", filter=Q(scores__score__isnull=False), distinct=True),
            items=Count("rubric__items", distinct=True),
        )
    }
    rows = []
    for assignment in assignments:
        assessment = assessments.get((assignment.round_id, assignment.organization_id))
        scored = assessment.scored if assessment else 0
        items = assessment.items if assessment else 0
        rows.append(
            {
                "assignment": assignment,
                "assessment": assessment,
                "scored": scored,
                "items": items,
                "share": scored / items if items else None,
            }
        )
    done = sum(1 for row in rows if row["assessment"] and row["assessment"].total is not None)
    return {"assignments": rows, "done": done, "total": len(rows)}


def liaison_panel(user) -> dict[str, Any]:
    """The liaison's community: its needs, the claims on them, and its alliance partners."""
    community = user.community
    panel: dict[str, Any] = {"community": community}
    if community is None:
        return panel
    needs_for = optional("alliance.selectors", "needs_for")
    claims_for = optional("alliance.selectors", "claims_for")
    if needs_for is not None and claims_for is not None:
        panel["needs"] = list(
            needs_for(user)
            .filter(community=community)
            .exclude(state__in=("withdrawn", "expired"))
            .annotate(claim_count=Count("claims", distinct=True))
            .order_by("state", "wanted_by")[:20]
        )
        panel["claims"] = list(
            claims_for(user)
            .filter(need__community=community)
            .select_related("need", "claiming_organization")
            .order_by("-pk")[:20]
        )
    else:
        panel["needs"] = panel["claims"] = None

    in_alliance_q = optional("branches.selectors", "in_alliance_q")
    partners = Organization.objects.filter(community=community, status=Status.ACTIVE)
    if in_alliance_q is not None:
        partners = partners.filter(in_alliance_q())
    panel["partners"] = list(partners.select_related("district").order_by("kind", "name")[:30])
    return panel


def chart_tables(charts: dict) -> list[dict]:
    """Each chart's numbers as a table (rows = the chart's labels, one column per series)."""
    from django.utils.translation import gettext_lazy

    titles = {
        "activities": (gettext_lazy("Activities held by month and brand"), "bar-stacked"),
        "members": (gettext_lazy("Members by age band"), "bar"),
        "organizations": (gettext_lazy("Organizations by district and kind"), "bar-stacked"),
        "grades": (gettext_lazy("Assessment grades"), "doughnut"),
    }
    tables = []
    for key, data in charts.items():
        title, kind = titles[key]
        if data is None:
            tables.append({"key": key, "title": title, "kind": kind, "missing": True})
            continue
        columns = [dataset["label"] for dataset in data["datasets"]]
        rows = [
            (label, [dataset["data"][index] for dataset in data["datasets"]])
            for index, label in enumerate(data["labels"])
        ]
        tables.append(
            {
                "key": key,
                "title": title,
                "kind": kind,
                "columns": columns,
                "rows": rows,
                "totals": [sum(dataset["data"]) for dataset in data["datasets"]],
                "missing": False,
            }
        )
    return tables
