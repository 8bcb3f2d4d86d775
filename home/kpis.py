"""The staff and viewer 首页's KPI tiles: `Kpi` and `KpiGroup`, and `staff_kpis`, which turns
the alliance-wide figures (home.figures) into the groups the bureau reports, each tile linking
to the list behind it, filtered to exactly what it counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from assessment.models import Grade
from branches.selectors import needs_attention_count
from core.actors import system_actor
from home.cache import cached, refresher
from home.figures import alliance_figures

DASH = "—"


@refresher("needs_attention")
def _needs_attention_everywhere(year: int) -> int:
    """The worker's computation of the tile: the count over every organization (what staff
    and viewers, the only readers of this tile, see), as the system actor sees it."""
    return needs_attention_count(system_actor())


BRANCHES = "branches:list"
MEMBERS = "members:list"
LIVING = {"status": "normal"}  # the member figures count living members, normal status
ACTIVE = {"status": "active"}


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


def link(name: str, query: dict | None = None) -> str:
    """The URL named `name`, with `query` as its filters."""
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _organizations(kind: str, category: str, **more) -> str:
    """The organization list filtered to active organizations of one kind and category."""
    return link(BRANCHES, {"kind": kind, "category": category, **more, **ACTIVE})


def staff_kpis(user, year: int) -> list[KpiGroup]:
    """The staff and viewer 首页's figures, grouped as the bureau reports them."""
    f = alliance_figures(year)
    return [
        _established_group(f),
        _affinity_group(f),
        _alliance_group(f, user, year),
        _activities_and_venues_group(f, year),
        _grades_group(f, year),
    ]


def _established_group(f: dict) -> KpiGroup:
    """Established branches, their members, and the directly managed ones."""
    directly = {**LIVING, "directly_managed": "yes"}
    return KpiGroup(
        _("Established branches"),
        [
            Kpi(
                "established_branches",
                _("Established branches"),
                f["established_branches"],
                _organizations("branch", "established"),
            ),
            Kpi(
                "established_members",
                _("Members of established branches"),
                f["established_members"],
                link(MEMBERS, {**LIVING, "organization_category": "established"}),
            ),
            Kpi(
                "directly_managed_branches",
                _("Directly managed branches"),
                f["directly_managed_branches"],
                _organizations("branch", "established", directly_managed="yes"),
            ),
            Kpi(
                "directly_managed_members",
                _("Members of directly managed branches"),
                f["directly_managed_members"],
                link(MEMBERS, directly),
            ),
            Kpi(
                "directly_managed_aged_70_share",
                _("Of them aged 70 and over"),
                f["directly_managed_aged_70_share"],
                link(MEMBERS, {**directly, "aged_70": "on"}),
                kind="percent",
            ),
        ],
    )


def _affinity_group(f: dict) -> KpiGroup:
    """Three-affinity organizations by kind, and their members."""
    return KpiGroup(
        _("Three-affinity organizations"),
        [
            Kpi(
                "affinity_joint_committees",
                _("Joint party committees"),
                f["affinity_joint_committees"],
                _organizations("joint_committee", "three_affinity"),
            ),
            Kpi(
                "affinity_general_branches",
                _("General branches"),
                f["affinity_general_branches"],
                _organizations("general_branch", "three_affinity"),
            ),
            Kpi(
                "affinity_branches",
                _("Branches"),
                f["affinity_branches"],
                _organizations("branch", "three_affinity"),
            ),
            Kpi(
                "affinity_groups",
                _("Functional party groups"),
                f["affinity_groups"],
                _organizations("party_group", "three_affinity"),
            ),
            Kpi(
                "affinity_members",
                _("Members of three-affinity organizations"),
                f["affinity_members"],
                link(MEMBERS, {**LIVING, "organization_category": "three_affinity"}),
            ),
        ],
    )


def _alliance_group(f: dict, user, year: int) -> KpiGroup:
    """The alliance against its target, pilots, demonstration sites, warnings."""
    # Staff and viewers see every organization, so the count is the same for all of them.
    needs_attention = cached("needs_attention", year, partial(_needs_attention_everywhere, year))
    target = f["alliance_target"]
    return KpiGroup(
        _("The alliance"),
        [
            Kpi(
                "alliance_organizations",
                _("Organizations in the alliance"),
                f["alliance_organizations"],
                link(BRANCHES, {"in_alliance": "yes"}),
                target=target,
            ),
            Kpi(
                "alliance_target",
                _("This year's target"),
                target,
                link("alliance:targets"),
                note="" if target is not None else _("No target set for this year."),
            ),
            Kpi("pilots", _("Pilot organizations"), f["pilots"], link(BRANCHES, {"pilot": "yes"})),
            Kpi(
                "demonstration_sites",
                _("Demonstration venue sites"),
                f["demonstration_sites"],
                link("venues:list", {"demonstration": "yes"}),
            ),
            Kpi(
                "needs_attention",
                _("Organizations needing attention"),
                needs_attention,
                link(BRANCHES, {"needs_attention": "yes", **ACTIVE}),
            ),
        ],
    )


def _activities_and_venues_group(f: dict, year: int) -> KpiGroup:
    """This year's joint activities, shared venue uses, visitors, participation, 三会一课."""
    year_query = {"year": year}
    held_in_year = {"status": "held", "year": year}
    approved_in_year = {
        "status": "approved",
        "date_from": f"{year}-01-01",
        "date_to": f"{year}-12-31",
    }
    return KpiGroup(
        _("Activities and venues this year"),
        [
            Kpi(
                "joint_activities",
                _("Joint activities"),
                f["joint_activities"],
                link("activities:list", {"joint": "on", **held_in_year}),
            ),
            Kpi(
                "joint_activities_total",
                _("Joint activities, all years"),
                f["joint_activities_total"],
                link("activities:list", {"joint": "on", "status": "held"}),
            ),
            Kpi(
                "shared_venue_uses",
                _("Shared venue uses"),
                f["shared_venue_uses"],
                link("venues:bookings", {"shared": "yes", **approved_in_year}),
            ),
            Kpi(
                "shared_venue_uses_total",
                _("Shared venue uses, all years"),
                f["shared_venue_uses_total"],
                link("venues:bookings", {"shared": "yes", "status": "approved"}),
            ),
            Kpi(
                "venue_visitors",
                _("Visitors"),
                f["venue_visitors"],
                link("venues:stats", year_query),
            ),
            Kpi(
                "participation_rate",
                _("Participation rate"),
                f["participation_rate"],
                link("activities:list", held_in_year),
                kind="percent",
            ),
            Kpi(
                "compliance_share",
                _("Organizations meeting their meeting requirements"),
                f["compliance_share"],
                link("activities:compliance", year_query),
                kind="percent",
            ),
        ],
    )


def _grades_group(f: dict, year: int) -> KpiGroup:
    """The latest finalized round's grades, each linking to those results."""
    grades = f["grades"]
    graded_in = f["grade_year"] or year
    return KpiGroup(
        _("Assessment grades %(year)s") % {"year": graded_in},
        [
            Kpi(
                f"grade_{value}",
                str(label),
                grades.get(value, 0),
                link("assessment:results", {"year": graded_in, "grade": value}),
            )
            for value, label in Grade.choices
        ],
    )
