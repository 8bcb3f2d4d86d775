"""Every read of community coordination and the mediation studio, scoped to the user."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityHost, ActivityStatus, HostState
from activities.selectors import participation_rate
from alliance.models import (
    MEDIATOR_SKILLS,
    AllianceMembership,
    AnnualTarget,
    CaseOutcome,
    Claim,
    ClaimState,
    CoordinationCategory,
    Document,
    DocumentAttachment,
    DocumentRead,
    DocumentReply,
    Hub,
    MediationCase,
    MediationStudio,
    Need,
    NeedState,
    Resource,
    ResourceState,
    RotaShift,
)
from alliance.permissions import acts_for
from branches.models import Community, Kind, Organization, Status, in_subtree
from branches.selectors import alliance_organizations, in_alliance_q
from core.models import Role, User
from core.permissions import is_bureau_staff, organization_in_scope
from core.selectors import get_or_404
from members.models import Health, MemberStatus, Skill
from members.selectors import members_for
from venues.models import Venue

# Categories whose work can be done seated, so members with limited mobility may be suggested.
SEATED_CATEGORIES = frozenset({CoordinationCategory.LECTURE, CoordinationCategory.MEDIATION})
SUGGESTION_LIMIT = 20


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _accepted_people(item_field: str):
    claims = (
        Claim.objects.filter(**{item_field: OuterRef("pk")}, state=ClaimState.ACCEPTED)
        .order_by()
        .values(item_field)
        .annotate(n=Sum("people"))
        .values("n")
    )
    return Coalesce(Subquery(claims, output_field=IntegerField()), Value(0))


def with_current_state(needs: QuerySet[Need], today: datetime.date | None = None) -> QuerySet:
    """`current_state`: the stored state, except that an open need past its wanted-by date
    reads as expired (so nothing has to run at midnight for the boards to be right)."""
    today = today or timezone.localdate()
    return needs.annotate(
        current_state=Case(
            When(state=NeedState.OPEN, wanted_by__lt=today, then=Value(NeedState.EXPIRED)),
            default="state",
            output_field=CharField(),
        )
    )


def needs_for(user) -> QuerySet[Need]:
    """The needs board: every signed-in user reads it, with what a row shows."""
    if not _signed_in(user):
        return Need.objects.none()
    needs = Need.objects.select_related(
        "community", "community__street", "posted_by_organization"
    ).prefetch_related("skills")
    return with_current_state(needs).annotate(accepted_people=_accepted_people("need"))


def resources_for(user) -> QuerySet[Resource]:
    if not _signed_in(user):
        return Resource.objects.none()
    return (
        Resource.objects.select_related("organization", "organization__community")
        .prefetch_related("skills")
        .annotate(accepted_people=_accepted_people("resource"))
    )


def get_need_for(user, pk) -> Need:
    return get_or_404(needs_for(user), pk)


def get_resource_for(user, pk) -> Resource:
    return get_or_404(resources_for(user), pk)


def _organization_q(user, field: str) -> Q:
    """Organizations (reached through `field`) that the user acts for."""
    q = Q(pk__in=[])
    if user.organization_id:
        q |= in_subtree(user.organization, field)
    if user.is_liaison and user.community_id:
        q |= Q(
            **{f"{field}__kind": Kind.COMMUNITY_ORG, f"{field}__community_id": user.community_id}
        )
    return q


def claims_for(user) -> QuerySet[Claim]:
    """Staff, supervisors and viewers read every claim; a secretary or liaison the claims
    their organizations made or received. Anyone else's claim is a 404."""
    claims = Claim.objects.select_related(
        "need",
        "need__community",
        "need__posted_by_organization",
        "resource",
        "resource__organization",
        "claiming_organization",
        "activity",
    )
    if not _signed_in(user):
        return claims.none()
    if is_bureau_staff(user) or user.is_supervisor or user.is_viewer:
        return claims
    if user.is_secretary or user.is_liaison:
        return claims.filter(
            _organization_q(user, "claiming_organization")
            | _organization_q(user, "need__posted_by_organization")
            | _organization_q(user, "resource__organization")
        )
    return claims.none()


def get_claim_for(user, pk) -> Claim:
    return get_or_404(claims_for(user), pk)


def claim_inbox(user) -> tuple[QuerySet[Claim], QuerySet[Claim]]:
    """(incoming: claims on the user's items, outgoing: claims the user's organizations made)."""
    claims = claims_for(user)
    if is_bureau_staff(user):
        incoming = claims.filter(state=ClaimState.PENDING)
        return incoming, claims.none()
    incoming = claims.filter(
        _organization_q(user, "need__posted_by_organization")
        | _organization_q(user, "resource__organization")
    )
    outgoing = claims.filter(_organization_q(user, "claiming_organization"))
    return incoming, outgoing


# --- Talent matching --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    member: object
    nearness: int  # 0 registered in the community, 1 same street, 2 same district
    matched_skills: tuple[str, ...]
    reason: str


def suggest_members(user, need: Need, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Members for a need: with a wanted skill (any member when none is asked for), willing to
    volunteer, fit for it (no limited mobility unless the work is seated), registered in the
    need's community, its street or its district — nearer first, then more matching skills,
    then better health. Scoped by members_for: a secretary sees only their own members.
    Three queries whatever the number of members."""

    community = need.community
    wanted = [skill.name for skill in need.skills.all()]
    members = members_for(user).filter(
        status=MemberStatus.NORMAL,
        willing_to_volunteer=True,
        registered_community__isnull=False,
    )
    members = members.filter(
        Q(registered_community_id=community.pk)
        | Q(registered_community__street_id=community.street_id)
        | Q(registered_community__district_id=community.district_id)
    )
    if need.category not in SEATED_CATEGORIES:
        members = members.exclude(health=Health.LIMITED_MOBILITY)
    if wanted:
        members = members.filter(skills__name__in=wanted)
    members = (
        members.annotate(
            matched=Count("skills", filter=Q(skills__name__in=wanted), distinct=True)
            if wanted
            else Value(0),
            nearness=Case(
                When(registered_community_id=community.pk, then=Value(0)),
                When(registered_community__street_id=community.street_id, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            health_rank=Case(
                When(health=Health.GOOD, then=Value(0)),
                When(health=Health.FAIR, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .select_related("organization", "registered_community")
        .prefetch_related("skills")
        .order_by("nearness", "-matched", "health_rank", "name", "pk")
        .distinct()[:limit]
    )
    suggestions = []
    for member in members:
        matched = tuple(s.name for s in member.skills.all() if s.name in wanted)
        if member.nearness == 0:
            where = _("registered in %(place)s") % {"place": community.name}
        elif member.nearness == 1:
            where = _("registered in %(place)s, on the same street") % {
                "place": member.registered_community.name
            }
        else:
            where = _("registered in %(place)s, in the same district") % {
                "place": member.registered_community.name
            }
        parts = []
        if matched:
            parts.append(_("has the skills: %(skills)s") % {"skills": "、".join(matched)})
        parts.append(where)
        parts.append(_("willing to volunteer"))
        parts.append(_("health: %(health)s") % {"health": member.get_health_display()})
        suggestions.append(
            Suggestion(
                member=member,
                nearness=member.nearness,
                matched_skills=matched,
                reason=" · ".join(str(p) for p in parts),
            )
        )
    return suggestions


# --- Mediation studio -------------------------------------------------------------------------


def may_view_cases(user, studio: MediationStudio) -> bool:
    """See alliance.permissions: staff, or the host organization's secretary."""
    return bool(
        is_bureau_staff(user)
        or (
            _signed_in(user)
            and user.is_secretary
            and organization_in_scope(user, studio.host_organization)
        )
    )


def studios_for(user) -> QuerySet[MediationStudio]:
    if not _signed_in(user):
        return MediationStudio.objects.none()
    return MediationStudio.objects.select_related("community", "host_organization").annotate(
        case_count=Count("cases", distinct=True)
    )


def get_studio_for(user, pk) -> MediationStudio:
    return get_or_404(studios_for(user), pk)


def cases_for(user) -> QuerySet[MediationCase]:
    """Case details: only bureau staff and the secretaries of the studios' host organizations."""
    cases = MediationCase.objects.select_related("studio").prefetch_related("mediators")
    if not _signed_in(user):
        return cases.none()
    if is_bureau_staff(user):
        return cases
    if user.is_secretary:
        return cases.filter(in_subtree(user.organization, "studio__host_organization"))
    return cases.none()


def get_case_for(user, pk) -> MediationCase:
    return get_or_404(cases_for(user), pk)


def rota(studio: MediationStudio, *, start: datetime.date, days: int = 28) -> QuerySet[RotaShift]:
    return (
        RotaShift.objects.filter(
            studio=studio, date__gte=start, date__lt=start + datetime.timedelta(days=days)
        )
        .select_related("member", "member__organization")
        .order_by("date", "member__name")
    )


def studio_figures(studios, year: int) -> dict:
    """Counts only (no details): cases this year by outcome, for everybody to read."""
    rows = (
        MediationCase.objects.filter(studio__in=studios, date__year=year)
        .values("outcome")
        .annotate(n=Count("pk"))
    )
    by_outcome = {row["outcome"]: row["n"] for row in rows}
    return {
        "year": year,
        "total": sum(by_outcome.values()),
        "resolved": by_outcome.get("resolved", 0),
        "referred": by_outcome.get("referred", 0),
        "open": by_outcome.get("open", 0),
        "mediators": RotaShift.objects.filter(studio__in=studios, date__year=year)
        .values("member")
        .distinct()
        .count(),
    }


# --- Community page ---------------------------------------------------------------------------


def get_community_for(user, pk) -> Community:
    if not _signed_in(user):
        raise Http404
    return get_or_404(Community.objects.select_related("street", "district"), pk)


def community_overview(user, community: Community, *, year: int | None = None) -> dict:
    """Everything the community page shows, each part a bounded query."""

    year = year or timezone.localdate().year
    organizations = (
        Organization.objects.filter(community=community, status=Status.ACTIVE)
        .filter(in_alliance_q())
        .order_by("kind", "name")
    )
    registered = members_for(user).filter(
        registered_community=community, status=MemberStatus.NORMAL
    )
    today = timezone.localdate()
    open_needs = (
        needs_for(user)
        .filter(community=community, state__in=[NeedState.OPEN, NeedState.CLAIMED])
        .filter(wanted_by__gte=today)
        .order_by("wanted_by")[:20]
    )
    resources = (
        resources_for(user)
        .filter(state__in=["open", "claimed"], available_until__gte=today)
        .filter(
            Q(organization__community=community)
            | Q(organization__community__street_id=community.street_id)
            | Q(organization__district_id=community.district_id)
        )
        .order_by("available_until")[:20]
    )
    venues = list(Venue.objects.filter(community=community, is_active=True).order_by("name"))
    local_org_ids = Organization.objects.filter(community=community).values("pk")
    activities = (
        Activity.objects.filter(
            status=ActivityStatus.HELD,
            start__year=year,
            pk__in=ActivityHost.objects.filter(
                organization_id__in=local_org_ids, state=HostState.ACCEPTED
            ).values("activity_id"),
        )
        .select_related("organization")
        .order_by("-start")
    )
    studios = list(
        MediationStudio.objects.filter(community=community).select_related("host_organization")
    )
    return {
        "community": community,
        "organizations": organizations,
        "registered_count": registered.count(),
        "open_needs": open_needs,
        "resources": resources,
        "venues": venues,
        "activities": activities[:20],
        "activities_count": activities.count(),
        "studios": studios,
        "mediation": studio_figures(studios, year) if studios else None,
        "year": year,
    }


def may_act_for_any(user, organizations) -> bool:
    return any(acts_for(user, organization) for organization in organizations)


# --- The alliance registry and annual targets ---


def alliance_memberships_for(user) -> QuerySet[AllianceMembership]:
    """The registry: everybody signed in reads it (it is the alliance's public roll)."""
    if not (user and user.is_authenticated and user.is_active):
        return AllianceMembership.objects.none()
    return AllianceMembership.objects.select_related(
        "organization", "organization__district", "organization__community"
    ).order_by("left_on", "hub", "organization__name")


def get_alliance_membership_for(user, pk) -> AllianceMembership:
    return get_or_404(alliance_memberships_for(user), pk)


@dataclass(frozen=True)
class AllianceFigures:
    year: int
    organizations: int
    coverage_rate: float | None  # share (0–1) of active branches that are in the alliance
    participation_rate: float | None  # from the activities app, when it provides it


def _reference_day(year: int) -> datetime.date:
    """31 December of `year`, or today while the year runs (as the 首页 counts)."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


def _participation_rate(year: int) -> float | None:
    """党员活动参与率 of `year`, computed exactly as the 首页 computes it."""
    return participation_rate(start=datetime.date(year, 1, 1), end=_reference_day(year)).rate


def alliance_figures(year: int) -> AllianceFigures:
    """Actual figures at the end of `year` (or today, for the current year)."""
    today = timezone.localdate()
    on = min(datetime.date(year, 12, 31), today)
    organizations = alliance_organizations(on).count()
    branches = Organization.objects.filter(kind=Kind.BRANCH, status=Status.ACTIVE)
    total = branches.count()
    coverage = branches.filter(in_alliance_q(on)).count() / total if total else None
    return AllianceFigures(
        year=year,
        organizations=organizations,
        coverage_rate=coverage,
        participation_rate=_participation_rate(year),
    )


def annual_targets_for(user) -> QuerySet[AnnualTarget]:
    if not (user and user.is_authenticated and user.is_active):
        return AnnualTarget.objects.none()
    return AnnualTarget.objects.all()


def get_annual_target_for(user, year: int) -> AnnualTarget:
    targets = annual_targets_for(user)  # built outside the guarded lookup
    try:
        return targets.get(year=year)
    except AnnualTarget.DoesNotExist:
        raise Http404 from None


def open_needs_near(user, organization, today: datetime.date, *, limit: int = 10):
    """Open community needs in the organization's district (or community) still wanted (the
    secretary's 首页 and the organization page's community section). Only what those lists
    show is read: no skills, no claim sums (`needs_for`'s board columns)."""
    if not _signed_in(user):
        return []
    district_id = organization.district_id or (
        organization.community.district_id if organization.community_id else None
    )
    if organization.community_id:
        near = Q(community_id=organization.community_id)
        if district_id:
            near |= Q(community__district_id=district_id)
    elif district_id:
        near = Q(community__district_id=district_id)
    else:
        return []
    return list(
        Need.objects.select_related("community")
        .filter(near, state=NeedState.OPEN, wanted_by__gte=today)
        .order_by("wanted_by", "pk")[:limit]
    )


def claims_of_organization(user, organization, *, limit: int) -> list[Claim]:
    """The newest claims the organization made or received that `user` may read (within
    `claims_for`), not withdrawn, with what the organization page's list shows."""
    return list(
        claims_for(user)
        .select_related(None)
        .select_related("need", "resource", "claiming_organization")
        .filter(
            Q(claiming_organization=organization)
            | Q(need__posted_by_organization=organization)
            | Q(resource__organization=organization)
        )
        .exclude(state=ClaimState.WITHDRAWN)
        .order_by("-claimed_at", "-pk")[:limit]
    )


def offered_resources_of(user, organization, *, limit: int) -> list[Resource]:
    """The organization's open or claimed resources, newest first (title and state only)."""
    if not _signed_in(user):
        return []
    return list(
        Resource.objects.filter(
            organization=organization, state__in=(ResourceState.OPEN, ResourceState.CLAIMED)
        ).order_by("-pk")[:limit]
    )


# --- The landing page -------------------------------------------------------------------------


@dataclass(frozen=True)
class AllianceOverview:
    year: int
    hub_counts: list  # (hub label, organizations in it today)
    organizations: int  # in the alliance today
    figures: AllianceFigures  # this year's actual figures
    target: AnnualTarget | None  # this year's targets, when set
    organizations_share: float | None  # progress toward the target number of organizations
    open_needs: int
    open_resources: int
    claims: dict  # this year's claims by state, with "total"
    mediation: dict  # this year's mediation cases by outcome, with "total" and "studios"


def _share(actual, target) -> float | None:
    if not target:
        return None
    return min(float(actual) / float(target), 1.0)


def alliance_overview(user, *, year: int | None = None) -> AllianceOverview:
    """What the alliance is this year, in figures (the /alliance/ page). Counts only, each a
    single aggregate query: the number of queries does not grow with the rows."""
    today = timezone.localdate()
    year = year or today.year
    active = AllianceMembership.objects.filter(left_on__isnull=True).order_by()
    counts = dict(active.values_list("hub").annotate(n=Count("pk")))
    hub_counts = [(label, counts.get(value, 0)) for value, label in Hub.choices]
    target = AnnualTarget.objects.filter(year=year).first()
    figures = alliance_figures(year)
    open_needs = (
        needs_for(user)
        .filter(state__in=[NeedState.OPEN, NeedState.CLAIMED], wanted_by__gte=today)
        .order_by()
        .count()
    )
    open_resources = (
        resources_for(user)
        .filter(state__in=[ResourceState.OPEN, ResourceState.CLAIMED], available_until__gte=today)
        .order_by()
        .count()
    )
    claims = Claim.objects.filter(claimed_at__year=year).aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in ClaimState.values},
    )
    mediation = MediationCase.objects.filter(date__year=year).aggregate(
        total=Count("pk"),
        **{outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in CaseOutcome.values},
    )
    mediation["studios"] = MediationStudio.objects.count()
    return AllianceOverview(
        year=year,
        hub_counts=hub_counts,
        organizations=sum(counts.values()),
        figures=figures,
        target=target,
        organizations_share=_share(
            figures.organizations, target.organizations_target if target else None
        ),
        open_needs=open_needs,
        open_resources=open_resources,
        claims=claims,
        mediation=mediation,
    )


# --- Documents (制度与通知) -----------------------------------------------------------------
# Bureau staff, viewers and supervisors read every document. A secretary (or a liaison with an
# organization) reads the documents addressed to all, to their organization or an organization
# above it, or to a part of their own subtree; any other document is a 404 for them.


def _ancestor_paths(organization) -> list[str]:
    """The materialized paths of `organization` and every organization above it."""
    parts = [part for part in organization.path.split("/") if part]
    return ["".join(f"{part}/" for part in parts[: n + 1]) for n in range(len(parts))]


def addressed_q(organization, prefix: str = "") -> Q:
    """Documents addressed to `organization`: to all, or to it or an organization above it."""
    recipients = Document.recipients.through.objects.filter(
        document_id=OuterRef(f"{prefix}pk" if prefix else "pk"),
        organization__path__in=_ancestor_paths(organization),
    )
    return Q(**{f"{prefix}to_all": True}) | Q(Exists(recipients))


def documents_for(user) -> QuerySet[Document]:
    if not _signed_in(user):
        return Document.objects.none()
    documents = Document.objects.all()
    if user.is_bureau_staff or user.is_viewer or user.is_supervisor:
        return documents
    if (user.is_secretary or user.is_liaison) and user.organization_id:
        own = user.organization
        below = Document.recipients.through.objects.filter(
            document_id=OuterRef("pk"), organization__path__startswith=own.path
        )
        return documents.filter(addressed_q(own) | Q(Exists(below)))
    if user.is_liaison:
        return documents.filter(to_all=True)
    return documents.none()


def document_list_for(user, *, search: str = "", category: str = "") -> QuerySet[Document]:
    """The documents page: search by title, document number and text; for a secretary each row
    knows whether their organization has read it (`read_at`) and replied (`replied_at`)."""
    documents = documents_for(user).order_by("-issued_on", "-pk")
    if search:
        documents = documents.filter(
            Q(title__icontains=search) | Q(number__icontains=search) | Q(body__icontains=search)
        )
    if category:
        documents = documents.filter(category=category)
    if user.is_authenticated and user.organization_id:
        documents = documents.annotate(
            read_at=Subquery(
                DocumentRead.objects.filter(
                    document=OuterRef("pk"), organization_id=user.organization_id
                ).values("read_at")[:1]
            ),
            replied_at=Subquery(
                DocumentReply.objects.filter(
                    document=OuterRef("pk"), organization_id=user.organization_id
                ).values("replied_at")[:1]
            ),
        )
    return documents.annotate(attachment_count=Count("attachments", distinct=True))


def get_document_for(user, pk) -> Document:
    return get_or_404(documents_for(user), pk)


def document_addresses(document: Document, organization) -> bool:
    """Is `document` addressed to `organization` (to all, or to it or one above it)?"""
    if organization is None:
        return False
    return Document.objects.filter(addressed_q(organization), pk=document.pk).exists()


def addressed_organizations(document: Document) -> QuerySet[Organization]:
    """Every active organization the document reaches (all, or the recipients' subtrees)."""
    organizations = Organization.objects.filter(status=Status.ACTIVE)
    if document.to_all:
        return organizations
    condition = Q(pk__in=[])
    for root in document.recipients.all():
        condition |= in_subtree(root)
    return organizations.filter(condition)


def expected_readers(document: Document) -> QuerySet[Organization]:
    """The addressed organizations that have an active secretary account: those who are
    expected to read it (and reply, when asked)."""
    secretaries = User.objects.filter(
        organization=OuterRef("pk"), role=Role.SECRETARY, is_active=True
    )
    return addressed_organizations(document).filter(Exists(secretaries))


def document_readers(document: Document, *, unread_only: bool = False) -> QuerySet[Organization]:
    """The bureau's read list: each expected organization with when it read and replied."""
    organizations = expected_readers(document).annotate(
        read_at=Subquery(
            DocumentRead.objects.filter(document=document, organization=OuterRef("pk")).values(
                "read_at"
            )[:1]
        ),
        replied_at=Subquery(
            DocumentReply.objects.filter(document=document, organization=OuterRef("pk")).values(
                "replied_at"
            )[:1]
        ),
    )
    if unread_only:
        organizations = organizations.filter(read_at__isnull=True)
    return organizations.select_related("parent").order_by("read_at", "path")


def document_read_figures(document: Document) -> dict:
    expected = expected_readers(document).order_by()
    return {
        "expected": expected.count(),
        "read": DocumentRead.objects.filter(
            document=document, organization__in=expected.values("pk")
        ).count(),
        "replied": DocumentReply.objects.filter(
            document=document, organization__in=expected.values("pk")
        ).count(),
    }


def get_document_attachment_for(user, pk) -> DocumentAttachment:
    return get_or_404(
        DocumentAttachment.objects.filter(document__in=documents_for(user).values("pk")), pk
    )


def replies_for(user, document: Document) -> QuerySet[DocumentReply]:
    """Bureau staff (and viewers, supervisors) read every reply; a secretary their own."""
    replies = DocumentReply.objects.filter(document=document).select_related(
        "organization", "replied_by"
    )
    if not _signed_in(user):
        return replies.none()
    if user.is_bureau_staff or user.is_viewer or user.is_supervisor:
        return replies
    if user.organization_id:
        return replies.filter(organization_id=user.organization_id)
    return replies.none()


def get_document_reply_for(user, pk) -> DocumentReply:
    visible = documents_for(user).values("pk")
    replies = DocumentReply.objects.filter(document__in=visible)
    if not (user.is_bureau_staff or user.is_viewer or user.is_supervisor):
        replies = replies.filter(organization_id=user.organization_id or 0)
    return get_or_404(replies, pk)


# --- Mediators (the rota and case pickers) ---------------------------------------------------


def mediators_for(user):
    """Members the user may read who may sit on a mediation rota: in good standing, with the
    mediation or law skill (alliance.models.MEDIATOR_SKILLS)."""
    skilled = Skill.objects.filter(members=OuterRef("pk"), name__in=MEDIATOR_SKILLS)
    return (
        members_for(user)
        .filter(Exists(skilled), status=MemberStatus.NORMAL)
        .select_related("organization")
        .order_by("name", "pk")
    )


def search_mediators(user, query: str, limit: int = 20) -> list:
    """Search-as-you-type among `mediators_for(user)`: pinyin initials, part of the name or
    the number (members.selectors.search_members' rules)."""
    query = (query or "").strip()
    if not query:
        return []
    found = mediators_for(user).only("pk", "name", "organization__name")
    if query.isascii() and query.isalpha():
        found = found.filter(name_initials__startswith=query.lower())
    elif query.lstrip("#").isdecimal():
        found = found.filter(pk=int(query.lstrip("#")))
    else:
        found = found.filter(name__icontains=query)
    return list(found[:limit])
