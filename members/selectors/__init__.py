"""Every read of the roster, scoped to the user.

Who reads which members (decided for issue 4):
- bureau staff: every member;
- a secretary: members whose relation is in their organization's subtree;
- a supervisor and a viewer: every member, read-only, with ID numbers and phones masked
  (supervisors inspect and assess every organization; viewers are the bureau's leaders);
- a community liaison: members registered with their community (到社区报到) or whose
  organization sits in it, plus their own organization's subtree if they have one — masked.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from branches.models import Organization, Status, in_subtree
from branches.selectors import organizations_for
from core.generations import Generation
from core.permissions import is_bureau_staff, organization_in_scope
from members.models import RELATION_KINDS, Member, MemberStatus, Transfer, TransferState

AGE_BANDS = (
    ("under60", None, 59),
    ("60-69", 60, 69),
    ("70-79", 70, 79),
    ("80-89", 80, 89),
    ("90+", 90, None),
)


def _years_ago(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_range_q(lowest: int | None, highest: int | None, *, today=None) -> Q:
    """Members whose age is between `lowest` and `highest` years (inclusive) today."""
    today = today or timezone.localdate()
    q = Q()
    if lowest is not None:
        q &= Q(birth_date__lte=_years_ago(today, lowest))
    if highest is not None:
        q &= Q(birth_date__gt=_years_ago(today, highest + 1))
    return q


def _organizations_for(user) -> QuerySet[Organization] | None:
    """A secretary's organizations; None means "no organization limit"."""
    if getattr(user, "is_secretary", False):
        return organizations_for(user)
    return None


def members_for(user) -> QuerySet[Member]:
    """The members `user` may read (see the module docstring)."""
    members = Member.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return members.none()
    if is_bureau_staff(user) or user.is_supervisor or user.is_viewer:
        return members
    if user.is_secretary:
        organizations = _organizations_for(user)
        if organizations is not None:
            return members.filter(organization__in=organizations)
        return members.filter(in_subtree(user.organization, "organization"))
    if user.is_liaison:
        q = Q(pk__in=[])
        if user.community_id:
            q |= Q(registered_community_id=user.community_id) | Q(
                organization__community_id=user.community_id
            )
        if user.organization_id:
            q |= in_subtree(user.organization, "organization")
        return members.filter(q)
    return members.none()


def get_member_for(user, pk) -> Member:
    """One member the user may read, with what the member page shows; 404 otherwise."""
    member = (
        members_for(user)
        .select_related("organization", "registered_community")
        .prefetch_related("skills")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


def roster_queryset(user) -> QuerySet[Member]:
    """members_for() with what the roster rows show (a fixed number of queries per page)."""
    return (
        members_for(user)
        .select_related("organization", "registered_community")
        .prefetch_related("skills")
    )


def may_see_full_phone(user, member: Member) -> bool:
    """Phones in full only for bureau staff and the member's own secretary (their subtree)."""
    if is_bureau_staff(user):
        return True
    return bool(
        getattr(user, "is_secretary", False) and organization_in_scope(user, member.organization)
    )


def may_see_full_id_number(user) -> bool:
    return bool(is_bureau_staff(user))


def member_history(member: Member):
    """The relation history (transfers, newest first), participations and commendations."""
    transfers = member.transfers.select_related(
        "from_organization", "to_organization", "requested_by", "decided_by"
    )
    participations = member.participations.select_related("organization").order_by(
        "left_on", "organization__name"
    )
    return {
        "transfers": list(transfers),
        "participations": list(participations),
        "commendations": list(member.commendations.all()),
    }


def transfers_for(user, *, open_only: bool = False) -> QuerySet[Transfer]:
    """Transfers the user may read: all for staff, their subtree's (from or to) for a secretary."""
    transfers = Transfer.objects.select_related(
        "member", "from_organization", "to_organization", "requested_by"
    )
    if open_only:
        transfers = transfers.filter(state__in=[TransferState.REQUESTED, TransferState.APPROVED])
    if is_bureau_staff(user):
        return transfers
    if getattr(user, "is_secretary", False):
        own = user.organization
        return transfers.filter(
            in_subtree(own, "from_organization") | in_subtree(own, "to_organization")
        )
    return transfers.none()


def get_transfer_for(user, pk) -> Transfer:
    transfer = transfers_for(user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


# --- Figures other apps use ----------------------------------------------------------------


# What the organization page's member figures are computed from.
MEMBER_FIGURES = Generation("members.figures", [Member, Organization])
# What the roster's rows, filters and the reader's scope are read from: its cached total
# (core.paginators) is stale once one of these changes.
MEMBER_ROWS = Generation("members.rows", [Member, Organization, Member.skills.through])


def organization_member_figures(organization: Organization) -> dict:
    """Members (normal status) held in `organization`'s subtree: count, full members,
    registered with a community, the registered share and the 70-and-over share. One query,
    cached until a member or an organization changes (for the city's root it is a pass over
    every member)."""
    return MEMBER_FIGURES.cached(
        (organization.pk, organization.path, timezone.localdate()),
        lambda: _organization_member_figures(organization),
    )


def _organization_member_figures(organization: Organization) -> dict:
    figures = Member.objects.filter(
        in_subtree(organization, "organization"), status=MemberStatus.NORMAL
    ).aggregate(
        count=Count("pk"),
        full=Count("pk", filter=Q(confirmed_on__isnull=False)),
        registered=Count("pk", filter=Q(registered_community__isnull=False)),
        aged_70=Count("pk", filter=age_range_q(70, None)),
    )
    count = figures["count"]
    figures["registered_share"] = figures["registered"] / count if count else None
    figures["aged_70_share"] = figures["aged_70"] / count if count else None
    return figures


def registration_share_by_organization(user, organizations=None) -> list[dict]:
    """到社区报到 share per organization that holds relations directly (one query).

    Rows: {"organization_id", "organization__name", "count", "registered", "share"}.
    """
    members = members_for(user).filter(status=MemberStatus.NORMAL)
    if organizations is not None:
        members = members.filter(organization__in=organizations)
    rows = list(
        members.values("organization_id", "organization__name")
        .annotate(
            count=Count("pk"), registered=Count("pk", filter=Q(registered_community__isnull=False))
        )
        .order_by("organization__name")
    )
    for row in rows:
        row["share"] = row["registered"] / row["count"] if row["count"] else None
    return rows


def member_counts_by_category(user) -> dict[str, int]:
    """{category value: count} of the user's visible members with normal status (dashboard)."""
    rows = (
        members_for(user)
        .filter(status=MemberStatus.NORMAL)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["category"]: row["n"] for row in rows}


def member_counts_by_age_band(user) -> dict[str, int]:
    """{"under60"|"60-69"|"70-79"|"80-89"|"90+": count}, plus "70+" (dashboard). One query."""
    aggregates = {band: Count("pk", filter=age_range_q(low, high)) for band, low, high in AGE_BANDS}
    aggregates["70+"] = Count("pk", filter=age_range_q(70, None))
    return members_for(user).filter(status=MemberStatus.NORMAL).aggregate(**aggregates)


def members_of_organization(
    user, organization: Organization, *, subtree: bool = True, participants: bool = False
) -> QuerySet[Member]:
    """Members (normal status) whose relation is in `organization` (and below, by default);
    with `participants=True` also those taking part in it (三缘型 groups). For activities."""
    q = in_subtree(organization, "organization") if subtree else Q(organization=organization)
    if participants:
        q |= Q(participations__organization=organization, participations__left_on__isnull=True)
    return members_for(user).filter(q, status=MemberStatus.NORMAL).distinct()


def talent_search(user, *, skill=None, community=None, willing: bool | None = None):
    """人才资源库: e.g. members with skill 法律 registered in 地矿社区 and willing to volunteer.

    `skill` is a Skill or its name, `community` a Community or its pk.
    """
    members = roster_queryset(user).filter(status=MemberStatus.NORMAL)
    if skill:
        name = getattr(skill, "name", skill)
        members = members.filter(skills__name=name)
    if community:
        members = members.filter(registered_community=community)
    if willing is not None:
        members = members.filter(willing_to_volunteer=willing)
    return members.distinct()


def relation_organizations_for(user) -> QuerySet[Organization]:
    """Where `user` may put a member's organization relation (forms and the import)."""
    organizations = Organization.objects.filter(kind__in=RELATION_KINDS, status=Status.ACTIVE)
    if not is_bureau_staff(user):
        organizations = organizations.subtree(user.organization)
    return organizations.order_by("path")


def search_members(user, query: str, limit: int = 20) -> list[Member]:
    """Search-as-you-type: members the user may read, by pinyin initials (Latin letters, an
    indexed prefix search), part of the name, or number. Only name and organization are read."""
    query = (query or "").strip()
    if not query:
        return []
    found = (
        members_for(user).select_related("organization").only("pk", "name", "organization__name")
    )
    if query.isascii() and query.isalpha():
        found = found.filter(name_initials__startswith=query.lower())
    elif query.lstrip("#").isdecimal():
        found = found.filter(pk=int(query.lstrip("#")))
    else:
        found = found.filter(name__icontains=query)
    return list(found.order_by("name", "pk")[:limit])
