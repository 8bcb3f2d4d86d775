"""Reads of care (走访慰问), scoped to the user: who is due a visit this month, visits, flags."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from branches.models import in_subtree
from core.permissions import is_bureau_staff, organization_in_scope
from members.models import (
    OLD_AGE,
    URGENT_FLAGS,
    VISIT_INTERVAL_DAYS,
    CareFlag,
    CareVisit,
    Member,
    MemberStatus,
    VisitKind,
)
from members.selectors import _years_ago, members_for

ROUND_YEARS = range(10, 121, 10)


def may_see_care_flags(user, member: Member) -> bool:
    """Care flags (and the reasons they give) only to bureau staff and the member's secretary."""
    if is_bureau_staff(user):
        return True
    return bool(
        getattr(user, "is_secretary", False) and organization_in_scope(user, member.organization)
    )


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class DueReason:
    code: str  # "birthday" | "political_birthday" | "urgent" | "old_no_visit"
    label: str
    private: bool  # given by a care flag: masked for those who may not see flags
    visit_kind: str


@dataclass
class DueRow:
    member: Member
    reasons: list[DueReason] = field(default_factory=list)
    last_visit: datetime.date | None = None

    @property
    def suggested_kind(self) -> str:
        return self.reasons[0].visit_kind if self.reasons else VisitKind.FESTIVAL


def due_queryset(
    user,
    *,
    year: int,
    month: int,
    today: datetime.date,
    organization=None,
    community=None,
    everyone: bool = False,
) -> QuerySet[Member]:
    """Members (normal status) due a visit in `year`-`month`, as seen on `today`: a birthday
    ending in 0 or a 政治生日 in a round year this month; in hospital / in hardship with no
    visit for 30 days; 80 or over with no visit this year. Annotated with the reasons and the
    last visit; one query."""
    as_of = (
        min(today, month_end(year, month)) if (year, month) <= (today.year, today.month) else today
    )
    round_years = [year - n for n in ROUND_YEARS]
    urgent_flag = CareFlag.objects.filter(
        member=OuterRef("pk"), kind__in=URGENT_FLAGS, since__lte=as_of
    ).filter(Q(until__isnull=True) | Q(until__gte=as_of))
    recent_visit = CareVisit.objects.filter(
        member=OuterRef("pk"),
        visited_on__gt=as_of - datetime.timedelta(days=VISIT_INTERVAL_DAYS),
        visited_on__lte=as_of,
    )
    visit_this_year = CareVisit.objects.filter(member=OuterRef("pk"), visited_on__year=year)
    # `everyone`: the daily reminders, run by no person, read every organization.
    members = (
        (Member.objects.all() if everyone else members_for(user))
        .filter(status=MemberStatus.NORMAL)
        .annotate(
            due_birthday=Q(birth_date__month=month, birth_date__year__in=round_years),
            due_political=Q(joined_party_on__month=month, joined_party_on__year__in=round_years),
            due_urgent=Exists(urgent_flag) & ~Exists(recent_visit),
            due_old=Q(birth_date__lte=_years_ago(as_of, OLD_AGE)) & ~Exists(visit_this_year),
            last_visit=Max("care_visits__visited_on"),
        )
        .filter(Q(due_birthday=True) | Q(due_political=True) | Q(due_urgent=True) | Q(due_old=True))
        .select_related("organization", "registered_community")
    )
    if organization is not None:
        members = members.filter(in_subtree(organization, "organization"))
    if community is not None:
        members = members.filter(
            Q(registered_community=community) | Q(organization__community=community)
        )
    return members.order_by("organization__path", "name", "pk")


def due_row(member: Member, *, year: int) -> DueRow:
    """The reasons of one annotated member (due_queryset), in order of urgency."""
    row = DueRow(member=member, last_visit=member.last_visit)
    if member.due_urgent:
        row.reasons.append(
            DueReason(
                "urgent",
                _("In hospital or in hardship, no visit for %(days)s days")
                % {"days": VISIT_INTERVAL_DAYS},
                True,
                VisitKind.HOSPITAL,
            )
        )
    if member.due_birthday:
        row.reasons.append(
            DueReason(
                "birthday",
                _("Turns %(age)s this month") % {"age": year - member.birth_date.year},
                False,
                VisitKind.BIRTHDAY,
            )
        )
    if member.due_political:
        row.reasons.append(
            DueReason(
                "political_birthday",
                _("%(years)s years in the party this month")
                % {"years": year - member.joined_party_on.year},
                False,
                VisitKind.POLITICAL_BIRTHDAY,
            )
        )
    if member.due_old:
        row.reasons.append(
            DueReason(
                "old_no_visit",
                _("%(age)s or over, no visit this year") % {"age": OLD_AGE},
                False,
                VisitKind.FESTIVAL,
            )
        )
    return row


def due_rows(user, *, year: int, month: int, today: datetime.date, **filters) -> list[DueRow]:
    return [
        due_row(m, year=year)
        for m in due_queryset(user, year=year, month=month, today=today, **filters)
    ]


def visits_of(member: Member) -> list[CareVisit]:
    return list(member.care_visits.select_related("recorded_by"))


def flags_of(member: Member) -> list[CareFlag]:
    return list(member.care_flags.all())


def visits_for(user) -> QuerySet[CareVisit]:
    """Visits of the members the user may read, with what the ledger shows."""
    return CareVisit.objects.filter(member__in=members_for(user)).select_related(
        "member", "organization"
    )


def care_summary(user, *, year: int) -> list[dict]:
    """The year's visits per organization: visits, members visited, value given, per kind."""
    by_kind = {f"kind_{kind}": Count("pk", filter=Q(kind=kind)) for kind in VisitKind.values}
    return list(
        visits_for(user)
        .filter(visited_on__year=year)
        .values("organization_id", "organization__name")
        .annotate(
            visits=Count("pk"),
            members=Count("member", distinct=True),
            value=Sum("gift_value"),
            **by_kind,
        )
        .order_by("organization__name")
    )


def care_context(user, member: Member) -> dict:
    """The care section of the member page: visits and flags for those who may see them."""
    if not may_see_care_flags(user, member):
        return {"care_visible": False}
    return {
        "care_visible": True,
        "care_visits": visits_of(member),
        "care_flags": flags_of(member),
        "can_care": user.has_perm("members.care_for_member", member),
    }
