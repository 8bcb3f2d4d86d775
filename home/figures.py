"""The alliance-wide figures of a year (the staff and viewer 首页, the annual workbook's
overview), computed from the records through each app's selectors and cached (home.cache).

Nothing here is stored by hand: every figure is a query over the records. `alliance_figures`
returns raw numbers; home.kpis turns them into tiles with their links.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from activities.models import Activity, ActivityStatus, RequiredFrequency
from activities.selectors import compliance_board, joint_activity_count, participation_rate
from alliance.models import AnnualTarget
from assessment.models import Round, RoundState
from assessment.selectors import grade_distribution
from branches.models import Category, Kind, Organization, Status
from branches.selectors import alliance_organizations
from home.cache import cached, refresher
from members.filters import directly_managed_q
from members.models import Member, MemberStatus
from members.selectors import age_range_q
from venues.models import Venue
from venues.selectors import shared_use_count, visitors_total


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
    figures["alliance_organizations"] = alliance_organizations(reference_day(year)).count()
    figures["alliance_target"] = (
        AnnualTarget.objects.filter(year=year)
        .values_list("organizations_target", flat=True)
        .first()
    )
    figures["demonstration_sites"] = Venue.objects.filter(
        is_active=True, demonstration_year__isnull=False
    ).count()
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
    result = participation_rate(start=datetime.date(year, 1, 1), end=reference_day(year))
    return {
        "joint_activities": joint_activity_count(year=year),
        "joint_activities_total": Activity.objects.filter(
            is_joint=True, status=ActivityStatus.HELD
        ).count(),
        "participation_rate": result.rate,
        "compliance_share": _compliance_share(year),
    }


def _compliance_share(year: int) -> float | None:
    """Share of organizations with a 三会一课 requirement that have missed no ended period."""
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
    return {
        "shared_venue_uses": shared_use_count(year),
        "shared_venue_uses_total": shared_use_count(),
        "venue_visitors": visitors_total(year),
    }


def grade_year(year: int) -> int | None:
    """The latest year up to `year` with a finalized assessment round (grades are final only
    then; this year's round is usually still open)."""
    return (
        Round.objects.filter(year__lte=year, state=RoundState.FINALIZED)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def grade_counts(year: int) -> dict[str, int]:
    """{grade: organizations} of `year`'s finalized rounds (the assessment results list's
    figures: assessment.selectors.grade_distribution)."""
    return {row["grade"]: row["count"] for row in grade_distribution(year)}


@refresher("figures")
def compute_alliance_figures(year: int) -> dict[str, Any]:
    """Every alliance-wide figure of `year`, computed now (raw numbers; None where there is
    nothing to count, e.g. a share of no members)."""
    figures: dict[str, Any] = {}
    figures.update(_organization_figures(year))
    figures.update(_member_figures())
    figures.update(_activity_figures(year))
    figures.update(_venue_figures(year))
    figures["grade_year"] = grade_year(year)
    figures["grades"] = grade_counts(figures["grade_year"] or year)
    return figures


def alliance_figures(year: int) -> dict[str, Any]:
    """Every alliance-wide figure of `year`, through the 首页 cache."""
    return cached("figures", year, partial(compute_alliance_figures, year))
