"""Reads of the organization tree, always scoped to a user.

Other apps use:
- `organizations_for(user)` — the organizations the user may see (a queryset);
- `get_organization_for(user, pk)` — one of them, or Http404;
- `with_warnings(queryset)` + `NEEDS_ATTENTION` — the rule-based warnings as SQL annotations;
- `needs_attention_count(user)` — the dashboard's "needs attention" figure;
- `alliance_organizations(on=None)` — organizations in the alliance on a day;
- `alliance_figures(year)` — actual figures for the annual targets.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import (
    CommitteePosition,
    CommitteeTerm,
    Community,
    District,
    FundEntry,
    FundKind,
    Kind,
    Organization,
    Status,
    visible_q,
)
from core.generations import Generation
from core.models import Role, User
from core.selectors import get_or_404

ENDS_SOON_DAYS = 90
MIN_FULL_MEMBERS = 3
COMMITTEE_FROM_FULL_MEMBERS = 7
MAX_MEMBERS = 50
# members.MemberStatus.NORMAL (tests/members/test_models.py keeps the two equal).
MEMBER_NORMAL = "normal"
# The member-count rules (支部工作条例) are about branches.
COUNTED_KINDS = (Kind.BRANCH,)


def organizations_for(user) -> QuerySet[Organization]:
    """The organizations `user` may see (`Organization.objects.visible_to`)."""
    return Organization.objects.visible_to(user)


def _member_count(**conditions) -> Count:
    """Normal-status members of the row's organization (members.Member, read by its reverse
    name `members`: branches sits below the members app and imports nothing of it), counted in
    the query's one grouped pass over the members joined to their organizations — not one
    correlated subquery per organization (PostgreSQL's JIT took seconds compiling those)."""
    member_filters = {f"members__{name}": value for name, value in conditions.items()}
    return Count("members", filter=Q(members__status=MEMBER_NORMAL, **member_filters))


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def warning_conditions(today: datetime.date | None = None) -> dict[str, Q]:
    """Each warning as a condition on the annotations that `with_warnings` adds."""
    today = today or timezone.localdate()
    counted = Q(kind__in=COUNTED_KINDS)
    return {
        "warn_term_ends_soon": Q(
            term_end__gte=today, term_end__lte=today + datetime.timedelta(days=ENDS_SOON_DAYS)
        ),
        "warn_term_overdue": Q(term_end__lt=today),
        "warn_too_few_full_members": counted & Q(full_member_count__lt=MIN_FULL_MEMBERS),
        "warn_no_committee": counted
        & Q(full_member_count__gte=COMMITTEE_FROM_FULL_MEMBERS, has_committee=False),
        "warn_too_many_members": counted & Q(member_count__gt=MAX_MEMBERS),
    }


def needs_attention_q(today: datetime.date | None = None) -> Q:
    """Filter for a queryset annotated by `with_warnings`: any warning, active organizations."""
    condition = Q()
    for part in warning_conditions(today).values():
        condition |= part
    return Q(status=Status.ACTIVE) & condition


def with_warning_figures(queryset: QuerySet) -> QuerySet:
    """Annotate what the warnings are judged on: member counts, the current term's end and
    whether it has a committee (SQL only; no flags)."""
    # Set-wise: the current term is one LEFT JOIN (at most one per organization, a unique
    # constraint), the member counts one GROUP BY over the members join; only the committee
    # test stays a probe of positions by the joined term's id (an index lookup).
    return queryset.annotate(
        current_term=FilteredRelation(
            "committee_terms", condition=Q(committee_terms__is_current=True)
        ),
    ).annotate(
        member_count=_member_count(),
        full_member_count=_member_count(confirmed_on__isnull=False),
        term_end=Coalesce("current_term__extended_until", "current_term__ends_on"),
        has_committee=Exists(
            CommitteePosition.objects.filter(term_id=OuterRef("current_term__id"))
        ),
    )


def with_warnings(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Annotate member counts, the current term's end and one boolean per warning (SQL only):
    for filtering and counting. Rows already read are judged by `warning_flags`."""
    queryset = with_warning_figures(queryset)
    flags = {name: _flag(condition) for name, condition in warning_conditions(today).items()}
    return queryset.annotate(**flags, needs_attention=_flag(needs_attention_q(today)))


def warning_flags(
    *,
    kind: str,
    status: str,
    member_count: int,
    full_member_count: int,
    term_end: datetime.date | None,
    has_committee: bool,
    today: datetime.date | None = None,
) -> dict[str, bool]:
    """`warning_conditions` and `needs_attention_q` judged in Python on one row's figures (as
    `with_warning_figures` reads them), for rows already on a page: compiling the flags into
    SQL cost more than the query. SQL's NULL rules kept: no term, no term warning.
    tests/branches/test_selectors.py checks the two agree on every boundary."""
    today = today or timezone.localdate()
    counted = kind in COUNTED_KINDS
    flags = {
        "warn_term_ends_soon": term_end is not None
        and today <= term_end <= today + datetime.timedelta(days=ENDS_SOON_DAYS),
        "warn_term_overdue": term_end is not None and term_end < today,
        "warn_too_few_full_members": counted and full_member_count < MIN_FULL_MEMBERS,
        "warn_no_committee": counted
        and full_member_count >= COMMITTEE_FROM_FULL_MEMBERS
        and not has_committee,
        "warn_too_many_members": counted and member_count > MAX_MEMBERS,
    }
    flags["needs_attention"] = status == Status.ACTIVE and any(flags.values())
    return flags


def warning_messages(organization: Organization) -> list[str]:
    """Plain-language warnings for an organization annotated by `with_warnings`."""
    messages = []
    if getattr(organization, "status", Status.ACTIVE) != Status.ACTIVE:
        return messages
    if getattr(organization, "warn_term_overdue", False):
        messages.append(
            _("The committee's term ended on %(day)s: an election is overdue.")
            % {"day": organization.term_end.isoformat()}
        )
    if getattr(organization, "warn_term_ends_soon", False):
        messages.append(
            _("The committee's term ends on %(day)s (within 90 days): prepare the election.")
            % {"day": organization.term_end.isoformat()}
        )
    if getattr(organization, "warn_too_few_full_members", False):
        messages.append(
            _("Only %(n)s full members: a branch needs at least 3.")
            % {"n": organization.full_member_count}
        )
    if getattr(organization, "warn_no_committee", False):
        messages.append(
            _("%(n)s full members but no committee: 7 or more full members must elect one.")
            % {"n": organization.full_member_count}
        )
    if getattr(organization, "warn_too_many_members", False):
        messages.append(
            _("%(n)s members: a branch normally has at most 50; consider a general branch.")
            % {"n": organization.member_count}
        )
    return messages


def in_alliance_q(on: datetime.date | None = None) -> Exists:
    on = on or timezone.localdate()
    # The registry (alliance.AllianceMembership) is reached through the reverse relation's
    # model: branches sits below the alliance app and imports nothing of it. A probe of the
    # registry by organization (its index), not a join back to organizations: that one was
    # hashed over every organization for a page of 25 (12 ms at scale 50).
    memberships = Organization._meta.get_field("alliance_memberships").related_model
    return Exists(
        memberships.objects.filter(organization=OuterRef("pk"), joined_on__lte=on).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=on)
        )
    )


def funded_in_year_q(year: int | None = None) -> Exists:
    """六有 经费有保障: an allocation dated in `year` (this year by default) in the funds ledger
    that has not been reversed — one EXISTS on the organization queryset."""
    year = year or timezone.localdate().year
    return Exists(
        FundEntry.objects.filter(
            organization=OuterRef("pk"),
            kind=FundKind.ALLOCATION,
            reverses__isnull=True,
            reversal__isnull=True,
            date__year=year,
        )
    )


def organization_list_for(user) -> QuerySet[Organization]:
    """The list page's and the export's rows: visible, annotated, with what a row shows."""
    queryset = organizations_for(user).select_related(
        "parent", "district", "community", "department"
    )
    return with_warnings(queryset).annotate(
        in_alliance=in_alliance_q(), funded_this_year=funded_in_year_q()
    )


def organization_rows_for(user) -> QuerySet[Organization]:
    """The list page's rows before their warnings: the page annotates `with_warnings` only the
    25 rows it shows (`with_warnings_for`), not every organization the user may see."""
    return (
        organizations_for(user)
        .select_related("parent", "district", "community", "department")
        .annotate(in_alliance=in_alliance_q())
    )


WARNING_FIGURES = ("member_count", "full_member_count", "term_end", "has_committee")


def _warning_figures_of(pks: list[int]) -> dict[int, dict]:
    """`with_warning_figures`' four figures for a few organizations, in three index-probing
    queries (member counts, current terms, which of those terms have positions) instead of
    one grouped join: for a page of 25 the grouped join hashed every committee position."""
    figures = {
        pk: {"member_count": 0, "full_member_count": 0, "term_end": None, "has_committee": False}
        for pk in pks
    }
    for pk, total, full in (
        Organization.objects.filter(pk__in=pks)
        .values("pk")
        .annotate(total=_member_count(), full=_member_count(confirmed_on__isnull=False))
        .values_list("pk", "total", "full")
    ):
        figures[pk].update(member_count=total, full_member_count=full)
    terms = {}
    for term_id, organization_id, ends_on, extended_until in CommitteeTerm.objects.filter(
        organization_id__in=pks, is_current=True
    ).values_list("pk", "organization_id", "ends_on", "extended_until"):
        terms[term_id] = organization_id
        figures[organization_id]["term_end"] = extended_until or ends_on
    for term_id in (
        CommitteePosition.objects.filter(term_id__in=terms)
        .values_list("term_id", flat=True)
        .distinct()
    ):
        figures[terms[term_id]]["has_committee"] = True
    return figures


def with_warnings_for(organizations: list[Organization]) -> list[Organization]:
    """The same organizations (same order) with the attributes `with_warnings` annotates: the
    figures read by `_warning_figures_of`, the flags judged in Python (`warning_flags`).
    Building annotated model instances and compiling the flags cost more than the query."""
    figures = _warning_figures_of([org.pk for org in organizations])
    today = timezone.localdate()
    for org in organizations:
        row = figures[org.pk]
        for name, value in row.items():
            setattr(org, name, value)
        flags = warning_flags(kind=org.kind, status=org.status, today=today, **row)
        for name, value in flags.items():
            setattr(org, name, value)
    return organizations


def get_organization_for(user, pk) -> Organization:
    """One organization the user may see, annotated as a row of the list (its warnings
    included); Http404 otherwise."""
    organization = get_or_404(
        organizations_for(user)
        .select_related("parent", "district", "community", "department", "liaison")
        .annotate(in_alliance=in_alliance_q(), funded_this_year=funded_in_year_q()),
        pk,
    )
    return with_warnings_for([organization])[0]


# The reference lists every filter and form offers as a <select>: read once, cached until a
# community or district changes.
COMMUNITIES = Generation("branches.communities", [Community, District])


def communities_by_district() -> list[tuple[str, list[tuple[int, str]]]]:
    """[(district name, [(community id, community name), ...]), ...] in district order."""

    def rows():
        groups: dict[str, list[tuple[int, str]]] = {}
        for pk, name, district in Community.objects.order_by(
            "district__position", "name"
        ).values_list("pk", "name", "district__name"):
            groups.setdefault(district, []).append((pk, name))
        return list(groups.items())

    return COMMUNITIES.cached(("by-district",), rows)


# What the warnings are computed from: a change to one of these rows may change the count.
WARNINGS = Generation(
    "branches.warnings",
    [Organization, CommitteeTerm, CommitteePosition, "members.Member"],
)


def needs_attention_count(user) -> int:
    """How many visible active organizations have at least one warning (the 首页's and the
    list's banner figure). For those who see every organization the count is cached until an
    organization, a committee or a member changes (at province scale it is a pass over every
    member: a third of a second)."""
    today = timezone.localdate()

    def count() -> int:
        return (
            with_warnings(organizations_for(user), today).filter(needs_attention_q(today)).count()
        )

    if visible_q(user) == Q():
        return WARNINGS.cached(("all", today), count)
    return count()


def current_term(organization: Organization) -> CommitteeTerm | None:
    return (
        CommitteeTerm.objects.filter(organization=organization, is_current=True)
        .prefetch_related(
            Prefetch("positions", queryset=CommitteePosition.objects.select_related("member"))
        )
        .first()
    )


def get_term_for(user, organization: Organization, pk) -> CommitteeTerm:
    return get_or_404(
        CommitteeTerm.objects.select_related("organization"), pk, organization=organization
    )


def sub_organizations(organization: Organization) -> QuerySet[Organization]:
    return with_warnings(organization.children.select_related("district", "community")).order_by(
        "status", "name"
    )


def alliance_membership_of(organization: Organization):
    """The open alliance membership (alliance.AllianceMembership, read by its reverse name)."""
    return (
        organization.alliance_memberships.filter(left_on__isnull=True)
        .order_by("-joined_on")
        .first()
    )


def alliance_partners(organization: Organization, limit: int = 20) -> QuerySet[Organization]:
    """Other organizations in the alliance in the same community (or district)."""
    if organization.community_id:
        near = Q(community_id=organization.community_id)
    elif organization.district_id:
        near = Q(district_id=organization.district_id)
    else:
        return Organization.objects.none()
    return (
        Organization.objects.filter(near, status=Status.ACTIVE)
        .filter(in_alliance_q())
        .exclude(pk=organization.pk)
        .order_by("kind", "name")[:limit]
    )


def alliance_organizations(on: datetime.date | None = None) -> QuerySet[Organization]:
    return Organization.objects.filter(in_alliance_q(on))


def secretaries_of(organizations) -> dict[int, list[User]]:
    """organization id → the secretaries who act for it: its own active secretary accounts,
    or, when it has none, those of its nearest ancestor that has one (an empty list when no
    organization above it has a secretary account). One query whatever the number of
    organizations (the secretaries are read once and matched on the materialized path)."""
    organizations = list(organizations)
    if not organizations:
        return {}
    by_path: dict[str, list[User]] = {}
    secretaries = (
        User.objects.filter(is_active=True, role=Role.SECRETARY, organization__isnull=False)
        .select_related("organization")
        .order_by("pk")
    )
    for user in secretaries:
        by_path.setdefault(user.organization.path, []).append(user)
    result: dict[int, list[User]] = {}
    for organization in organizations:
        found: list[User] = []
        path = organization.path
        while path:
            found = by_path.get(path, [])
            if found:
                break
            # the parent's path: drop the last segment ("a/b/c/" → "a/b/")
            path = path[: path.rstrip("/").rfind("/") + 1]
        result[organization.pk] = list(found)
    return result


def search_organizations(user, query: str, limit: int = 20) -> list[Organization]:
    """Search-as-you-type: visible organizations by part of the name, or by number."""
    return search_organizations_among(organizations_for(user), query, limit=limit)


def search_organizations_among(organizations, query: str, limit: int = 20) -> list[Organization]:
    """Search-as-you-type within a given set of organizations (a form's own choices)."""
    query = (query or "").strip()
    if not query:
        return []
    found = organizations.select_related("parent")
    if query.lstrip("#").isdecimal():
        found = found.filter(Q(pk=int(query.lstrip("#"))) | Q(name__icontains=query))
    else:
        found = found.filter(name__icontains=query)
    return list(found.order_by("depth", "name", "pk")[:limit])
