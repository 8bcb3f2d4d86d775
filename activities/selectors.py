"""Every read of the activities app, scoped to the user (assessment and dashboards call these)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models import Avg, Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ActivityHost,
    ActivityStatus,
    ActivityType,
    Attachment,
    Attendance,
    AttendanceStatus,
    Contest,
    ContestEntry,
    HostState,
    Period,
    RequiredFrequency,
    TrainingSession,
    VolunteerHours,
)
from branches.models import Organization, Status, in_subtree, visible_q
from core.generations import Generation
from core.models import User
from core.permissions import is_bureau_staff, organization_in_scope
from core.selectors import get_or_404
from members.models import Member, MemberStatus
from members.selectors import members_for

AnyUser = AbstractBaseUser | AnonymousUser

# --- Activities ------------------------------------------------------------------------------


ACCEPTED = HostState.ACCEPTED


def hosted_in_subtree(organization: Organization, *, asked: bool = False) -> Q:
    """Activities that `organization` or an organization below it hosts (lead or accepted
    co-host); with `asked`, also those it is asked to co-host and has not answered yet."""
    states = [ACCEPTED, HostState.REQUESTED] if asked else [ACCEPTED]
    return Q(
        pk__in=ActivityHost.objects.filter(
            in_subtree(organization, "organization"), state__in=states
        ).values("activity_id")
    )


def activities_for(user: AnyUser | None) -> QuerySet[Activity]:
    """Staff, supervisors, liaisons and viewers read all; a secretary the activities that an
    organization of their subtree hosts or co-hosts."""
    qs = Activity.objects.select_related("organization").prefetch_related(
        Prefetch(
            "host_links",
            queryset=ActivityHost.objects.select_related("organization").order_by(
                "-is_lead", "organization__path"
            ),
        )
    )
    return qs.filter(_readable_by(user))


def _readable_by(user: AnyUser | None) -> Q:
    """Which activities `user` reads, as one condition (the organizations rule of
    Organization.objects.visible_to): staff, supervisors, liaisons and viewers all; a secretary
    what their subtree hosts or co-hosts; anyone else (no role, inactive, anonymous) none."""
    if user is not None and user.is_authenticated and user.is_active and user.is_secretary:
        # hosted or co-hosted, not only led; asked to co-host: readable to answer the request
        return hosted_in_subtree(user.organization, asked=True)
    return visible_q(user, "organization")


def get_activity_for(user: AnyUser, pk) -> Activity:
    return get_or_404(activities_for(user), pk, _("No such activity."))


def organizations_for(user: AnyUser | None) -> QuerySet[Organization]:
    """Active organizations the user may pick in filters and forms: those the user may see
    (branches' rule: a secretary their subtree, no role or inactive nothing)."""
    return Organization.objects.visible_to(user).filter(status=Status.ACTIVE).order_by("path")


def get_organization_for(user: AnyUser, pk) -> Organization:
    """An active organization the user may see; any other is a 404."""
    return get_object_or_404(organizations_for(user), pk=pk)


def get_attachment_for(user: AnyUser, pk) -> Attachment:
    """An attachment of an activity the user may see; any other is a 404."""
    return get_object_or_404(
        Attachment.objects.filter(activity__in=activities_for(user).values("pk")), pk=pk
    )


# --- Co-hosting requests and who may be marked -------------------------------------------------


def cohost_requests_for(user: AnyUser | None) -> QuerySet[ActivityHost]:
    """Co-hosting requests the user answers: bureau staff every one, a secretary those made
    to an organization of their subtree; anyone else none. Unanswered first, then newest."""
    qs = ActivityHost.objects.filter(is_lead=False, requested_at__isnull=False).select_related(
        "activity", "activity__organization", "organization", "requested_by"
    )
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_bureau_staff(user):  # the system actor too (reminders)
        pass
    elif user.is_active and user.is_secretary:
        qs = qs.filter(in_subtree(user.organization, "organization"))
    else:
        return qs.none()
    return qs.order_by(
        # requested (0) before the answered ones (1)
        _requested_first(),
        "-requested_at",
        "-pk",
    )


def _requested_first():
    return Case(
        When(state=HostState.REQUESTED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    ).asc()


def get_cohost_request_for(user: AnyUser, pk) -> ActivityHost:
    """A co-hosting request the user answers; any other is a 404."""
    return get_or_404(cohost_requests_for(user), pk, _("No such co-hosting request."))


def accepted_host_ids(activity: Activity) -> list[int]:
    return list(
        activity.host_links.filter(state=ACCEPTED).values_list("organization_id", flat=True)
    )


def expected_participants(activity: Activity) -> QuerySet[Member]:
    """Members whose organization relation (or three-affinity participation) is an accepted
    host: an organization asked to co-host that has not accepted brings nobody."""
    host_ids = accepted_host_ids(activity)
    return (
        Member.objects.filter(status=MemberStatus.NORMAL)
        .filter(
            Q(organization_id__in=host_ids)
            | Q(
                participations__organization_id__in=host_ids,
                participations__left_on__isnull=True,
            )
        )
        .distinct()
        .order_by("name", "pk")
    )


def attendance_candidates(activity: Activity, user: AnyUser) -> QuerySet[Member]:
    """The members `user` may list and mark on the activity's attendance page (and in the
    meeting log): the accepted hosts' expected participants; bureau staff and the lead's
    secretary all of them, a co-host's secretary only the members of their own subtree."""
    members = expected_participants(activity)
    if is_bureau_staff(user):
        return members
    if not getattr(user, "is_secretary", False):
        return members.none()
    if organization_in_scope(user, activity.organization):
        return members
    return members.filter(in_subtree(user.organization, "organization"))


def _scoped_to_members(user: AnyUser) -> bool:
    """Whether the people `user` reads are limited to members_for(user): a secretary's and a
    liaison's are; staff, supervisors and viewers read every member."""
    return bool(getattr(user, "is_secretary", False) or getattr(user, "is_liaison", False))


def attendance_for(user: AnyUser, activities: QuerySet[Activity] | None = None):
    """Attendance records the user may read (of `activities`, else of every activity they
    read): a secretary's and a liaison's list only the people in their scope (members_for),
    and a secretary also those of the activities their subtree leads (the accepted co-hosts'
    members they marked)."""
    readable = activities if activities is not None else activities_for(user)
    return _people_of_activities(
        user, Attendance.objects.filter(activity__in=readable.values("pk"))
    )


def _people_of_activities(user: AnyUser, rows: QuerySet) -> QuerySet:
    """Rows about a person at an activity (attendance, volunteer hours) that `user` may read:
    all for the roles that read every member; for a secretary or a liaison the people in their
    scope, and for a secretary also those at the activities their subtree leads."""
    if not _scoped_to_members(user):
        return rows
    people = Q(member__in=members_for(user).values("pk"))
    if user.is_secretary:
        people |= in_subtree(user.organization, "activity__organization")
    return rows.filter(people)


def activity_hours_for(user: AnyUser, activity: Activity) -> QuerySet[VolunteerHours]:
    """An activity's volunteer-hours lines the user may read (the activity page's list)."""
    return _people_of_activities(user, activity.volunteer_hours.all()).select_related("member")


# --- Local periods (Asia/Shanghai) -------------------------------------------------------------


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def local_range(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, end+1 00:00) in local time, for a `start__gte / start__lt` filter."""
    return _local_midnight(start), _local_midnight(end + datetime.timedelta(days=1))


@dataclass(frozen=True)
class PeriodSpan:
    key: str  # "M03", "Q1", "Y"
    label: str
    first: datetime.date
    last: datetime.date
    months: tuple[int, ...]


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def periods_of(kind: str, year: int) -> list[PeriodSpan]:
    if kind == Period.MONTH:
        return [
            PeriodSpan(
                f"M{m:02d}",
                _("%(year)s-%(month)02d") % {"year": year, "month": m},
                datetime.date(year, m, 1),
                _month_end(year, m),
                (m,),
            )
            for m in range(1, 13)
        ]
    if kind == Period.QUARTER:
        return [
            PeriodSpan(
                f"Q{q}",
                _("Q%(quarter)s %(year)s") % {"quarter": q, "year": year},
                datetime.date(year, 3 * q - 2, 1),
                _month_end(year, 3 * q),
                tuple(range(3 * q - 2, 3 * q + 1)),
            )
            for q in range(1, 5)
        ]
    return [
        PeriodSpan(
            "Y",
            _("Year %(year)s") % {"year": year},
            datetime.date(year, 1, 1),
            datetime.date(year, 12, 31),
            tuple(range(1, 13)),
        )
    ]


def _period_months(period: str | None) -> set[int] | None:
    """The months a `period` filter covers: "Q1".."Q4", "M1".."M12"/"M01", "Y" or None."""
    if not period:
        return None
    period = period.upper()
    if period == "Y":
        return set(range(1, 13))
    if period.startswith("Q") and period[1:].isdecimal() and 1 <= int(period[1:]) <= 4:
        q = int(period[1:])
        return set(range(3 * q - 2, 3 * q + 1))
    if period.startswith("M") and period[1:].isdecimal() and 1 <= int(period[1:]) <= 12:
        return {int(period[1:])}
    raise ValueError(f"unknown period {period!r}")


# --- Compliance ------------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    organization_id: int
    activity_type: str
    type_label: str
    period_kind: str
    period: PeriodSpan
    required: int
    held: int

    @property
    def met(self) -> bool:
        return self.held >= self.required

    def is_due(self, as_of: datetime.date) -> bool:
        """The period has ended by `as_of`."""
        return self.period.last < as_of

    def is_overdue(self, as_of: datetime.date) -> bool:
        return self.is_due(as_of) and not self.met


def _requirements() -> dict[str, list[RequiredFrequency]]:
    by_kind: dict[str, list[RequiredFrequency]] = defaultdict(list)
    for item in RequiredFrequency.objects.all():
        by_kind[item.organization_kind].append(item)
    return by_kind


# Above this many organizations the held counts are read for every organization of a required
# kind and filtered in Python: no `IN` list of thousands of ids (SQLite caps query parameters).
_IN_LIST_LIMIT = 500


def _held_by_month(
    organization_ids: list[int] | None,
    year: int,
    types: set[str],
    kinds: set[str] | None = None,
) -> dict[tuple[int, str], list[int]]:
    """(organization id, type) → held activities it hosted per local month (index 1..12).

    One query, grouped in SQL by organization, type and the month of the start in the local
    time zone (Asia/Shanghai); quarters and the year are sums of months. The grouped rows are
    read straight from the cursor: at --scale 50 they are ~190,000 and Django's per-value
    converters alone cost a second.
    """
    first, last = local_range(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    qs = ActivityHost.objects.filter(
        state=ACCEPTED,
        activity__status=ActivityStatus.HELD,
        activity__type__in=types,
        activity__start__gte=first,
        activity__start__lt=last,
    )
    wanted = None
    if organization_ids is not None:
        if len(organization_ids) > _IN_LIST_LIMIT and kinds:
            wanted = set(organization_ids)
            qs = qs.filter(organization__kind__in=kinds)
        else:
            qs = qs.filter(organization_id__in=organization_ids)
    rows = (
        qs.annotate(month=ExtractMonth("activity__start", tzinfo=timezone.get_default_timezone()))
        .values_list("organization_id", "activity__type", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    monthly: dict[tuple[int, str], list[int]] = {}
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        for org_id, activity_type, month, n in cursor.fetchall():
            if wanted is not None and org_id not in wanted:
                continue
            key = (org_id, activity_type)
            counts = monthly.get(key)
            if counts is None:
                counts = monthly[key] = [0] * 13
            counts[int(month)] += n
    return monthly


_NO_MEETINGS = (0,) * 13


class _Plan:
    """What is required of each kind in `year`: the periods (labels translated once), the
    type labels, and the held counts of the organizations, read in one query."""

    def __init__(self, organizations, year, requirements=None):
        self.requirements = _requirements() if requirements is None else requirements
        self.spans = {kind: periods_of(kind, year) for kind in Period.values}
        labels = dict(ActivityType.choices)
        self.labels = {
            item.activity_type: str(labels.get(item.activity_type, item.activity_type))
            for items in self.requirements.values()
            for item in items
        }
        types = set(self.labels)
        kinds = {kind for kind, items in self.requirements.items() if items}
        self.monthly = (
            _held_by_month([org.pk for org in organizations], year, types, kinds) if types else {}
        )

    def months_of(self, org_id: int, activity_type: str):
        return self.monthly.get((org_id, activity_type), _NO_MEETINGS)

    def row(self, org_id, item, span, held) -> ComplianceRow:
        return ComplianceRow(
            organization_id=org_id,
            activity_type=item.activity_type,
            type_label=self.labels[item.activity_type],
            period_kind=item.period,
            period=span,
            required=item.times,
            held=held,
        )


def _compliance_rows(
    organizations: list[Organization],
    year: int,
    period: str | None = None,
    requirements: dict[str, list[RequiredFrequency]] | None = None,
) -> dict[int, list[ComplianceRow]]:
    plan = _Plan(organizations, year, requirements)
    months = _period_months(period)
    spans = {
        kind: [s for s in spans if months is None or months & set(s.months)]
        for kind, spans in plan.spans.items()
    }
    result: dict[int, list[ComplianceRow]] = {}
    for org in organizations:
        rows = []
        for item in plan.requirements.get(org.kind, []):
            held_in = plan.months_of(org.pk, item.activity_type)
            for span in spans.get(item.period, ()):
                held = sum(held_in[m] for m in span.months)
                rows.append(plan.row(org.pk, item, span, held))
        result[org.pk] = rows
    return result


def compliance(
    *, organization: Organization, year: int, period: str | None = None
) -> list[ComplianceRow]:
    """Held vs required, per required type and per period of `year` (3 queries).

    `period` narrows to the periods overlapping "Q1".."Q4", "M01".."M12" or "Y". Only held
    activities count; a meeting counts in the local (Asia/Shanghai) period of its start.
    """
    return _compliance_rows([organization], year, period)[organization.pk]


@dataclass
class ComplianceSummary:
    """One organization's year so far: per type, held and required in the periods begun."""

    organization: Organization
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # type → (held, required)
    overdue: list[ComplianceRow] = field(default_factory=list)


def _overdue_rows(plan: _Plan, organizations, as_of: datetime.date):
    """Yield (organization, {type: (held, required)} over the periods begun, overdue rows).

    Per organization only integer sums over the months already counted in SQL: the periods
    begun by `as_of` are a run of months from January, so a cell's held figure is one sum.
    """
    begun = {kind: [s for s in spans if s.first <= as_of] for kind, spans in plan.spans.items()}
    due = {kind: [s for s in spans if s.last < as_of] for kind, spans in plan.spans.items()}
    for org in organizations:
        cells: dict[str, tuple[int, int]] = {}
        overdue: list[ComplianceRow] = []
        for item in plan.requirements.get(org.kind, []):
            spans = begun.get(item.period)
            if not spans:
                continue
            held_in = plan.months_of(org.pk, item.activity_type)
            held, required = cells.get(item.activity_type, (0, 0))
            cells[item.activity_type] = (
                held + sum(held_in[1 : spans[-1].months[-1] + 1]),
                required + item.times * len(spans),
            )
            for span in due.get(item.period, ()):
                count = sum(held_in[m] for m in span.months)
                if count < item.times:
                    overdue.append(plan.row(org.pk, item, span, count))
        yield org, cells, overdue


def compliance_board(
    organizations: list[Organization], *, year: int, as_of: datetime.date
) -> tuple[list[str], list[ComplianceSummary]]:
    """The compliance board for a page of organizations: 2 queries whatever their number, and
    cheap for every organization of the city at once (the dashboard's compliance share)."""
    plan = _Plan(organizations, year)
    required_types = {item.activity_type for items in plan.requirements.values() for item in items}
    types = [t for t, _label in ActivityType.choices if t in required_types]
    summaries = [
        ComplianceSummary(organization=org, cells=cells, overdue=overdue)
        for org, cells, overdue in _overdue_rows(plan, organizations, as_of)
    ]
    return types, summaries


class OverdueItem(NamedTuple):
    """One period ended without the required meetings. A named tuple: the city-wide list
    (thousands of items) is read back from the cache on every view of the board, and tuples
    unpickle several times faster than dataclass instances."""

    organization: Organization
    activity_type: str
    type_label: str
    period_label: str
    period_last: datetime.date
    required: int
    held: int


def _compliance_organizations(user: AnyUser) -> QuerySet[Organization]:
    kinds = RequiredFrequency.objects.values("organization_kind")
    return organizations_for(user).filter(kind__in=kinds)


# What the activity list's rows (and the reader's scope over them) are read from: its cached
# total (core.paginators) is stale once one of these changes.
ACTIVITY_ROWS = Generation("activities.rows", [Activity, ActivityHost, Organization])

# What the overdue list is computed from: a change to one of these rows may change it.
OVERDUE = Generation(
    "activities.overdue", [Activity, ActivityHost, RequiredFrequency, Organization]
)


def overdue_compliance(user: AnyUser, as_of: datetime.date) -> list[OverdueItem]:
    """Every period of `as_of`'s year that has ended without the required meetings, across
    the organizations the user sees (4 queries whatever their number). For those who see
    every organization the list is cached until an activity, a host, a required frequency or
    an organization changes: at province scale it reads every organization's year (~2 s)."""
    if visible_q(user) == Q():
        return OVERDUE.cached(
            ("all", as_of, translation.get_language()), lambda: _overdue_items(user, as_of)
        )
    return _overdue_items(user, as_of)


def _overdue_items(user: AnyUser, as_of: datetime.date) -> list[OverdueItem]:
    organizations = list(_compliance_organizations(user))
    plan = _Plan(organizations, as_of.year)
    items = []
    for org, _cells, overdue in _overdue_rows(plan, organizations, as_of):
        for row in overdue:
            if org.founded_on and row.period.last < org.founded_on:
                continue
            items.append(
                OverdueItem(
                    organization=org,
                    activity_type=row.activity_type,
                    type_label=row.type_label,
                    period_label=row.period.label,
                    period_last=row.period.last,
                    required=row.required,
                    held=row.held,
                )
            )
    items.sort(key=lambda i: (i.organization.path, i.activity_type, i.period_last))
    return items


def meetings_held(organization: Organization, year: int, type: str) -> int:
    """How many activities of `type` the organization hosted (lead or co-host) and held in `year`."""
    first, last = local_range(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    return Activity.objects.filter(
        host_links__organization=organization,
        host_links__state=ACCEPTED,
        type=type,
        status=ActivityStatus.HELD,
        start__gte=first,
        start__lt=last,
    ).count()


def joint_activity_count(*, year: int, organization: Organization | None = None) -> int:
    """Held activities with two or more hosts in `year` (for one organization: those it hosted)."""
    first, last = local_range(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    qs = Activity.objects.filter(
        is_joint=True, status=ActivityStatus.HELD, start__gte=first, start__lt=last
    )
    if organization is not None:
        qs = qs.filter(host_links__organization=organization, host_links__state=ACCEPTED)
    return qs.count()


# --- Participation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipationRate:
    expected: int
    present: int
    excused: int
    absent: int

    @property
    def rate(self) -> float | None:
        """present / (expected − excused); None when nobody was expected."""
        base = self.expected - self.excused
        return self.present / base if base > 0 else None


def participation_rate(
    *,
    member=None,
    organization: Organization | None = None,
    start: datetime.date,
    end: datetime.date,
) -> ParticipationRate:
    """Attendance of held activities between the local dates `start` and `end` (inclusive),
    for one member or for the members of an organization's subtree (one query)."""
    first, last = local_range(start, end)
    qs = Attendance.objects.filter(
        activity__status=ActivityStatus.HELD,
        activity__start__gte=first,
        activity__start__lt=last,
    )
    if member is not None:
        qs = qs.filter(member=member)
    if organization is not None:
        qs = qs.filter(in_subtree(organization, "member__organization"))
    totals = qs.aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
    )
    return ParticipationRate(**totals)


def recent_activities(organization: Organization, limit: int = 5) -> list[Activity]:
    return list(
        Activity.objects.filter(hosted_in_subtree(organization))
        .select_related("organization")
        .order_by("-start")[:limit]
    )


def contest_ranking(contest) -> list:
    """Entries with their average score, best first (one query)."""
    return list(
        ContestEntry.objects.filter(contest=contest)
        .select_related("member")
        .annotate(average=Avg("scores__score"), judges=Count("scores"))
        .order_by("-average", "pk")
    )


# --- Co-training, contests, volunteer hours ----------------------------------------------------


def training_sessions_for(user: User) -> QuerySet[TrainingSession]:
    """Sessions of the organizations the user sees (Organization.objects.visible_to): a
    secretary their subtree's, the other roles all, anyone else none."""
    return TrainingSession.objects.select_related("organization", "activity").filter(
        visible_q(user, "organization")
    )


def trainees_for(user: User, session: TrainingSession) -> QuerySet[Member]:
    """The session's trainees the user may see: a secretary's and a liaison's only the people
    in their scope (members_for)."""
    trainees = session.trainees.select_related("organization")
    if _scoped_to_members(user):
        trainees = trainees.filter(pk__in=members_for(user).values("pk"))
    return trainees.order_by("organization__path", "name")


def get_training_for(user: User, pk) -> TrainingSession:
    """A training session as the list scopes it; another organization's is a 404."""
    return get_object_or_404(training_sessions_for(user), pk=pk)


def get_contest(user: User, pk) -> Contest:
    """Contests are the bureau's, read by every signed-in user."""
    return get_object_or_404(Contest.objects.select_related("organization"), pk=pk)


def get_contest_entry(user: User, pk) -> ContestEntry:
    return get_object_or_404(ContestEntry.objects.select_related("contest", "member"), pk=pk)


def volunteer_hours_for(
    user: User, *, year: int, organization: Organization | None = None
) -> QuerySet[VolunteerHours]:
    """Ledger lines of `year`: a secretary's subtree's members, optionally one organization's
    subtree."""
    lines = VolunteerHours.objects.filter(date__year=year)
    if user.is_secretary:
        lines = lines.filter(in_subtree(user.organization, "member__organization"))
    elif _scoped_to_members(user):  # a liaison: the people of their community only
        lines = lines.filter(member__in=members_for(user).values("pk"))
    elif not (user.is_authenticated and user.is_active):
        return lines.none()
    if organization is not None:
        lines = lines.filter(in_subtree(organization, "member__organization"))
    return lines
