"""Volunteer points (红色积分 / 时间银行): earned from the volunteer-hours records by the rule the
bureau sets (points per hour, a cap per activity), spent on exchanges (a gift, a service).

The ledger is append-only: when hours change, the points already earned for that activity are
reversed by a new line and the new amount earned by another; an exchange made by mistake is
reversed, never deleted.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import PointsEntry, PointsEntryKind, PointsRule, VolunteerHours
from activities.services.common import ActivityError, full_clean
from branches.models import Organization, in_subtree
from core.actors import system_actor
from members.models import Member
from members.selectors import members_for

TENTH = Decimal("0.1")


def rule_on(day: datetime.date) -> PointsRule | None:
    """The rule in force on `day`: the latest effective by then."""
    return (
        PointsRule.objects.filter(effective_from__lte=day)
        .order_by("-effective_from", "-pk")
        .first()
    )


def points_for_hours(hours, rule: PointsRule | None) -> Decimal:
    """Hours × points per hour, capped per activity, to a tenth of a point."""
    if rule is None:
        return Decimal("0.0")
    points = Decimal(str(hours)) * rule.points_per_hour
    return min(points, rule.cap_per_activity).quantize(TENTH, rounding=ROUND_HALF_UP)


@transaction.atomic
def points_rule_set(
    *, points_per_hour, cap_per_activity, effective_from: datetime.date, acting_user
) -> PointsRule:
    """The bureau's rule from a day (a new row: earlier rules stay for the points they gave)."""
    if not acting_user.has_perm("activities.change_pointsrule"):
        raise ActivityError(_("Only bureau staff set the points rule."))
    try:
        rule = PointsRule(
            points_per_hour=Decimal(str(points_per_hour)),
            cap_per_activity=Decimal(str(cap_per_activity)),
            effective_from=effective_from,
            set_by=acting_user,
        )
    except InvalidOperation as exc:
        raise ActivityError(_("Enter numbers such as 10 or 2.5.")) from exc
    full_clean(rule, exclude=["set_by"])
    rule.save()
    # Hours from that day on earn by the new rule: their activities' lines follow at once.
    activity_ids = (
        VolunteerHours.objects.filter(date__gte=effective_from, activity__isnull=False)
        .values_list("activity_id", flat=True)
        .distinct()
    )
    points_sync(activity_ids=list(activity_ids), acting_user=acting_user)
    return rule


def _balances_by_pair(member_ids=None, activity_ids=None) -> dict[tuple[int, int], Decimal]:
    entries = PointsEntry.objects.filter(
        activity__isnull=False, kind__in=[PointsEntryKind.EARNED, PointsEntryKind.REVERSAL]
    )
    if member_ids is not None:
        entries = entries.filter(member_id__in=member_ids)
    if activity_ids is not None:
        entries = entries.filter(activity_id__in=activity_ids)
    return {
        (row["member_id"], row["activity_id"]): Decimal(row["total"]).quantize(TENTH)
        for row in entries.values("member_id", "activity_id").annotate(total=Sum("points"))
    }


def _last_earned(pairs) -> dict[tuple[int, int], PointsEntry]:
    """The latest earned line of each (member, activity) not yet reversed."""
    latest: dict[tuple[int, int], PointsEntry] = {}
    entries = PointsEntry.objects.filter(
        kind=PointsEntryKind.EARNED, reversed_by__isnull=True, activity__isnull=False
    )
    members = {m for m, _a in pairs}
    activities = {a for _m, a in pairs}
    for entry in entries.filter(member_id__in=members, activity_id__in=activities).order_by("pk"):
        latest[(entry.member_id, entry.activity_id)] = entry
    return latest


@transaction.atomic
def points_sync(*, activity_ids=None, acting_user=None) -> int:
    """Bring the ledger in line with the volunteer-hours records (of some activities, or all):
    each (member, activity) earns points_for_hours(hours, rule on the day); a difference is
    corrected by a reversing line and a new earned line. Returns the lines written. A fixed
    number of queries whatever the number of lines (bulk_create)."""
    actor = acting_user or system_actor()
    hours = VolunteerHours.objects.filter(activity__isnull=False)
    if activity_ids is not None:
        hours = hours.filter(activity_id__in=activity_ids)
    rules = list(PointsRule.objects.order_by("effective_from", "pk"))

    def rule_for(day):
        found = None
        for rule in rules:
            if rule.effective_from <= day:
                found = rule
        return found

    expected: dict[tuple[int, int], tuple[Decimal, Decimal, datetime.date]] = {}
    for member_id, activity_id, amount, day in hours.values_list(
        "member_id", "activity_id", "hours", "date"
    ):
        expected[(member_id, activity_id)] = (points_for_hours(amount, rule_for(day)), amount, day)
    current = _balances_by_pair(activity_ids=activity_ids)
    changed = [
        pair
        for pair in set(expected) | set(current)
        if current.get(pair, Decimal(0)) != expected.get(pair, (Decimal(0),))[0]
    ]
    if not changed:
        return 0
    last = _last_earned(changed)
    today = timezone.localdate()
    lines: list[PointsEntry] = []
    for pair in sorted(changed):
        member_id, activity_id = pair
        old = last.get(pair)
        if old is not None:
            lines.append(
                PointsEntry(
                    member_id=member_id,
                    activity_id=activity_id,
                    kind=PointsEntryKind.REVERSAL,
                    points=-old.points,
                    hours=old.hours,
                    day=today,
                    reverses=old,
                    note=_("The volunteer hours changed."),
                    recorded_by=actor,
                )
            )
        points, amount, day = expected.get(pair, (Decimal(0), None, today))
        if points:
            lines.append(
                PointsEntry(
                    member_id=member_id,
                    activity_id=activity_id,
                    kind=PointsEntryKind.EARNED,
                    points=points,
                    hours=amount,
                    day=day,
                    recorded_by=actor,
                )
            )
    PointsEntry.objects.bulk_create(lines, batch_size=1000)
    return len(lines)


def balance_of(member: Member) -> Decimal:
    total = PointsEntry.objects.filter(member=member).aggregate(total=Sum("points"))["total"]
    return Decimal(total or 0).quantize(TENTH)


@transaction.atomic
def points_exchange(
    *, member: Member, points, exchanged_for: str, acting_user, day: datetime.date | None = None
) -> PointsEntry:
    """Spend points on a gift or a service; never more than the balance."""
    if not acting_user.has_perm("activities.exchange_points", member):
        raise ActivityError(_("You may not exchange points for this member."))
    Member.objects.select_for_update().filter(pk=member.pk).first()
    try:
        points = Decimal(str(points)).quantize(TENTH, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ActivityError(_("Enter the points as a number.")) from exc
    if points <= 0:
        raise ActivityError(_("Exchange a positive number of points."))
    if not (exchanged_for or "").strip():
        raise ActivityError(_("Say what the points were exchanged for."))
    balance = balance_of(member)
    if points > balance:
        raise ActivityError(
            _("The balance is %(balance)s points; %(points)s cannot be exchanged.")
            % {"balance": balance, "points": points}
        )
    entry = PointsEntry(
        member=member,
        kind=PointsEntryKind.EXCHANGED,
        points=-points,
        day=day or timezone.localdate(),
        exchanged_for=exchanged_for.strip(),
        recorded_by=acting_user,
    )
    full_clean(entry, exclude=["member", "recorded_by", "activity", "reverses"])
    entry.save()
    return entry


@transaction.atomic
def points_entry_reverse(*, entry: PointsEntry, note: str, acting_user) -> PointsEntry:
    """Undo an exchange made by mistake with a reversing line (the line itself stays)."""
    if not acting_user.has_perm("activities.exchange_points", entry.member):
        raise ActivityError(_("You may not exchange points for this member."))
    entry = PointsEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.kind != PointsEntryKind.EXCHANGED:
        raise ActivityError(
            _("Only an exchange is reversed by hand; earned points follow the hours.")
        )
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise ActivityError(_("This line has already been reversed."))
    if not (note or "").strip():
        raise ActivityError(_("Give the reason for the reversal."))
    reversal = PointsEntry(
        member_id=entry.member_id,
        kind=PointsEntryKind.REVERSAL,
        points=-entry.points,
        day=timezone.localdate(),
        reverses=entry,
        note=note.strip(),
        recorded_by=acting_user,
    )
    reversal.save()
    return reversal


# --- Reads -----------------------------------------------------------------------------------


def _points_sum(condition: Q | None = None):
    return Coalesce(
        Sum("points", filter=condition),
        Value(Decimal("0.0")),
        output_field=DecimalField(max_digits=10, decimal_places=1),
    )


def points_standings(user, *, year: int, organization: Organization | None = None) -> QuerySet:
    """One row per member `user` may read who has points: earned and exchanged in `year`, the
    balance (all years), and the rank by points earned in `year` within the member's
    organization — all computed in SQL (one query a page, whatever the number of lines)."""
    entries = PointsEntry.objects.filter(member__in=members_for(user).values("pk"))
    if organization is not None:
        entries = entries.filter(in_subtree(organization, "member__organization"))
    in_year = Q(day__year=year)
    return (
        entries.values(
            "member_id",
            "member__name",
            "member__organization_id",
            "member__organization__name",
            "member__organization__path",
        )
        .annotate(
            earned=_points_sum(in_year & Q(activity__isnull=False)),
            exchanged=_points_sum(in_year & Q(activity__isnull=True)),
            balance=_points_sum(),
        )
        .annotate(
            rank=Window(
                Rank(),
                partition_by=F("member__organization_id"),
                order_by=F("earned").desc(),
            )
        )
        .order_by("member__organization__path", "rank", "member__name", "member_id")
    )


def ledger_of(member: Member) -> QuerySet[PointsEntry]:
    """A member's points lines, newest first, with what each row shows."""
    return (
        PointsEntry.objects.filter(member=member)
        .select_related("activity", "reverses")
        .annotate(is_reversed=Exists(PointsEntry.objects.filter(reverses=OuterRef("pk"))))
        .order_by("-day", "-pk")
    )
