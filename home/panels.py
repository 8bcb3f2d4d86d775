"""The 首页 of a secretary, a supervisor and a liaison: each sees only their own part of the
records (their organization's subtree, their assignments, their community), never the
alliance-wide figures."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from activities.models import Attendance, AttendanceStatus
from activities.selectors import overdue_compliance
from alliance.models import NeedState
from alliance.selectors import claims_for, needs_for, open_needs_near
from assessment.models import Assessment, Assignment, RoundState
from assessment.selectors import with_progress
from branches.models import Organization, Status, in_subtree
from branches.selectors import in_alliance_q, warning_messages, with_warnings_for
from members.models import MemberStatus
from members.selectors import members_for
from venues.models import ACTIVE_STATUSES, Booking

SIX_MONTHS = datetime.timedelta(days=183)


# --- A secretary's 首页 ----------------------------------------------------------------------------


def secretary_panel(user, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Only the secretary's organization and its subtree: nothing of any other organization."""
    today = today or timezone.localdate()
    organization = user.organization
    return {
        "organization": organization,
        "overdue": overdue_compliance(user, today),
        "bookings": _next_bookings(organization),
        "warnings": _warnings(organization),
        "inactive_members": _members_without_attendance(user, today),
        "open_needs": open_needs_near(user, organization, today),
    }


def _next_bookings(organization: Organization) -> list:
    """The subtree's next five requested or approved bookings that have not ended."""
    return list(
        Booking.objects.filter(
            in_subtree(organization, "organization"),
            status__in=ACTIVE_STATUSES,
            end__gte=timezone.now(),
        )
        .select_related("room__venue", "organization")
        .order_by("start")[:5]
    )


def _warnings(organization: Organization) -> list[tuple[Organization, str]]:
    """(organization, message) for every warning of the subtree's active organizations."""
    organizations = with_warnings_for(
        list(
            Organization.objects.subtree(organization).filter(status=Status.ACTIVE).order_by("path")
        )
    )
    return [(org, message) for org in organizations for message in warning_messages(org)]


def _members_without_attendance(user, today: datetime.date) -> dict[str, Any]:
    """Members of the subtree with no 'present' attendance in the last six months."""
    since = timezone.make_aware(datetime.datetime.combine(today - SIX_MONTHS, datetime.time.min))
    attended = Attendance.objects.filter(
        member=OuterRef("pk"), status=AttendanceStatus.PRESENT, activity__start__gte=since
    )
    members = (
        members_for(user)
        .filter(in_subtree(user.organization, "organization"), status=MemberStatus.NORMAL)
        .exclude(Exists(attended))
        .select_related("organization")
        .order_by("organization__path", "name")
    )
    return {"count": members.count(), "first": list(members[:10])}


# --- A supervisor's 首页 ---------------------------------------------------------------------------


def supervisor_panel(user) -> dict[str, Any]:
    """The supervisor's assignments, and how far each assessment has been scored."""
    assignments = list(
        Assignment.objects.filter(supervisors=user)
        .select_related("round", "organization")
        .order_by("-round__year", "round__title", "organization__path")
    )
    assessments = {
        (a.round_id, a.organization_id): a
        for a in with_progress(
            Assessment.objects.filter(
                round__in={a.round_id for a in assignments},
                organization__in={a.organization_id for a in assignments},
            ).select_related("rubric")
        )
    }
    rows = []
    for assignment in assignments:
        assessment = assessments.get((assignment.round_id, assignment.organization_id))
        scored = assessment.scored if assessment else 0
        items = assessment.item_count if assessment else 0
        rows.append(
            {
                "assignment": assignment,
                "assessment": assessment,
                "scored": scored,
                "items": items,
                "share": scored / items if items else None,
                "percent": round(100 * scored / items) if items else 0,
                # The supervisor is assigned (these are their assignments), so the rules
                # assessment.score_assessment and view_scorecard hold: no query per row.
                "score_url": (
                    reverse("assessment:score", args=[assessment.pk])
                    if assessment and assignment.round.state == RoundState.SCORING
                    else ""
                ),
            }
        )
    # The ones still to finish first, then the rest, each in the order above.
    rows.sort(key=lambda row: (not row["score_url"], row["share"] == 1))
    done = sum(1 for row in rows if row["assessment"] and row["assessment"].total is not None)
    return {"assignments": rows, "done": done, "total": len(rows)}


# --- A liaison's 首页 ------------------------------------------------------------------------------


def liaison_panel(user) -> dict[str, Any]:
    """The liaison's community: its needs, the claims on them, and its alliance partners."""
    community = user.community
    if community is None:
        return {"community": None}
    needs = (
        needs_for(user)
        .filter(community=community)
        .exclude(state__in=(NeedState.WITHDRAWN, NeedState.EXPIRED))
        .annotate(claim_count=Count("claims", distinct=True))
        .order_by("state", "wanted_by")[:20]
    )
    claims = (
        claims_for(user)
        .filter(need__community=community)
        .select_related("need", "claiming_organization")
        .order_by("-pk")[:20]
    )
    partners = (
        Organization.objects.filter(community=community, status=Status.ACTIVE)
        .filter(in_alliance_q())
        .select_related("district")
        .order_by("kind", "name")[:30]
    )
    return {
        "community": community,
        "needs": list(needs),
        "claims": list(claims),
        "partners": list(partners),
    }
