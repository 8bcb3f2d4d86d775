"""The attendance list as a secretary reads it on a phone: members in pinyin order, grouped by
党小组, each member once with one status (出席 / 请假 / 缺席) and, when excused, the reason.

Who is on the list is not decided here: the views pass the members that
`activities.services.expected_participants` (the attendance page) or the meeting log's roster
yields. This module only orders, groups and counts them, in a fixed number of queries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from activities.models import AttendanceStatus
from branches.models import Kind, Organization, in_subtree
from members.models import Member, Participation

# The order of the choices on each row: the default first, then the exceptions.
STATUS_ORDER = (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)


def pinyin_key(name: str) -> tuple:
    """Sort key in 汉语拼音 order (丁 ding before 万 wan before 乔 qiao), tone as tie-break,
    then the name itself so that equal readings stay stable."""
    return (tuple(lazy_pinyin(name or "", style=Style.TONE3, errors="default")), name or "")


@dataclass
class AttendanceRow:
    member: Member
    status: str
    reason: str
    initials: str


@dataclass
class AttendanceGroup:
    label: str
    rows: list[AttendanceRow] = field(default_factory=list)


@dataclass
class AttendanceCounts:
    present: int = 0
    excused: int = 0
    absent: int = 0
    unmarked: int = 0

    @property
    def total(self) -> int:
        return self.present + self.excused + self.absent + self.unmarked


def party_groups_of(member_ids: Iterable[int], hosts: Iterable[Organization]) -> dict[int, str]:
    """Each member's 党小组 under one of the hosting organizations (the first by pinyin when a
    member takes part in several), in one query."""
    hosts = list(hosts)
    ids = list(member_ids)
    if not hosts or not ids:
        return {}
    within = Q()
    for host in hosts:
        within |= in_subtree(host, "organization")
    rows = (
        Participation.objects.filter(
            within,
            member_id__in=ids,
            left_on__isnull=True,
            organization__kind=Kind.PARTY_GROUP,
        )
        .exclude(organization_id__in=[h.pk for h in hosts])
        .values_list("member_id", "organization__name")
    )
    groups: dict[int, str] = {}
    for member_id, name in rows:
        if member_id not in groups or pinyin_key(name) < pinyin_key(groups[member_id]):
            groups[member_id] = name
    return groups


def attendance_groups(
    members: Iterable[Member],
    *,
    hosts: Iterable[Organization],
    recorded: Mapping[int, tuple[str, str]] | None = None,
    data: Mapping[str, str] | None = None,
    default_status: str = "",
) -> list[AttendanceGroup]:
    """The list, grouped by 党小组 (groups in pinyin order, members without one last) and in
    pinyin order inside each group.

    A row's status is what was posted (`data`: status_<pk>, reason_<pk>), else what was
    recorded before (`recorded`: member id → (status, reason)), else `default_status`.
    """
    members = list(members)
    recorded = recorded or {}
    groups_of = party_groups_of((m.pk for m in members), hosts)
    buckets: dict[str, AttendanceGroup] = {}
    for member in sorted(members, key=lambda m: (pinyin_key(m.name), m.pk)):
        before_status, before_reason = recorded.get(member.pk, ("", ""))
        if data is not None:
            status = data.get(f"status_{member.pk}", "") or ""
            reason = data.get(f"reason_{member.pk}", "") or ""
        else:
            status = before_status or default_status
            reason = before_reason
        label = groups_of.get(member.pk, "")
        bucket = buckets.setdefault(label, AttendanceGroup(label=label))
        bucket.rows.append(
            AttendanceRow(
                member=member,
                status=status,
                reason=reason,
                initials=member.name_initials or "",
            )
        )
    named = sorted((g for g in buckets.values() if g.label), key=lambda g: pinyin_key(g.label))
    ungrouped = buckets.get("")
    if ungrouped is not None:
        # Headed only when there are 党小组 beside it; a flat list needs no heading.
        ungrouped.label = _("Not in a party group") if named else ""
        named.append(ungrouped)
    return named


def attendance_counts(groups: Iterable[AttendanceGroup]) -> AttendanceCounts:
    tally = Counter(row.status for group in groups for row in group.rows)
    known = tally[AttendanceStatus.PRESENT] + tally[AttendanceStatus.EXCUSED]
    known += tally[AttendanceStatus.ABSENT]
    return AttendanceCounts(
        present=tally[AttendanceStatus.PRESENT],
        excused=tally[AttendanceStatus.EXCUSED],
        absent=tally[AttendanceStatus.ABSENT],
        unmarked=sum(tally.values()) - known,
    )


def status_choices() -> list[tuple[str, str]]:
    labels = dict(AttendanceStatus.choices)
    return [(value, labels[value]) for value in STATUS_ORDER]
