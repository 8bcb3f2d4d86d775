"""Demo activities (`seed_demo` step): deterministic, idempotent, bulk-created.

- Regular organizational life (三会一课 and the yearly meetings) for most branches and party
  groups from REGULAR_FROM_YEAR until today; about one branch in ten falls behind this year,
  so the overdue list is not empty.
- Exactly 254 joint activities (联办) since 2020, of which 32 are theme party days (主题党日)
  joined by city-department branches.
- Lectures (宣讲) by the 宁夏首府桑榆红 lecture team against 百名老党员·讲百场初心故事 (100/100).
- Volunteering with hours in the members' ledger.
- The 2020 anti-epidemic online issues: 40 culture activities, 100+ authors.
- Attendance for the last 12 months' meetings of a few dozen branches and always for the demo
  secretary's branch (capped so the step stays fast).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityHost,
    ActivityStatus,
    ActivityType,
    Attendance,
    AttendanceStatus,
    Contest,
    ContestEntry,
    JudgeScore,
    LectureTeam,
    TrainingKind,
    TrainingSession,
    VolunteerHours,
)
from activities.services import required_frequencies_ensure_defaults
from branches.models import Brand, Category, Kind, Organization, Status
from members.models import Health, Member, MemberStatus

REGULAR_FROM_YEAR = 2025  # last year and this: what the compliance board and assessment read
JOINT_ACTIVITIES = 254
THEME_DAYS_WITH_DEPARTMENTS = 32
EPIDEMIC_ISSUES = 40
EPIDEMIC_TITLE = "“抗击疫情·银发力量”线上专刊 第{number}期"
EPIDEMIC_MARKER = EPIDEMIC_TITLE.format(number=1)  # its presence means the step already ran
ATTENDANCE_BRANCHES = 30

BRANCH_SCHEDULE = (
    # (type, months it is held in, day of month, title)
    (ActivityType.COMMITTEE_MEETING, range(1, 13), 5, "支委会：研究本月工作"),
    (ActivityType.THEME_DAY, range(1, 13), 15, "主题党日：重温入党誓词"),
    (ActivityType.GENERAL_MEETING, (3, 6, 9, 12), 10, "支部党员大会：通报季度工作"),
    (ActivityType.PARTY_LECTURE, (2, 5, 8, 11), 20, "党课：学习党的创新理论"),
    (ActivityType.LIFE_MEETING, (12,), 22, "年度组织生活会"),
    (ActivityType.DEMOCRATIC_REVIEW, (12,), 23, "民主评议党员"),
)
GROUP_SCHEDULE = ((ActivityType.GROUP_MEETING, range(1, 13), 8, "党小组会：集中学习"),)

JOINT_KINDS = (
    (ActivityType.CULTURE, Brand.SILVER_GLOW, "联办书画笔会"),
    (ActivityType.CULTURE, Brand.SILVER_GLOW, "联办红歌会"),
    (ActivityType.VOLUNTEERING, Brand.SILVER_SHINE, "联合志愿服务进社区"),
    (ActivityType.VISIT, Brand.SILVER_PIONEER, "联合参观红色教育基地"),
    (ActivityType.LECTURE, Brand.SILVER_PIONEER, "联合宣讲初心故事"),
    (ActivityType.MEDIATION, Brand.SILVER_SHINE, "联合调解邻里纠纷"),
    (ActivityType.TRAINING, Brand.SILVER_PIONEER, "联合党员培训"),
)
EXCUSE_REASONS = ("身体原因", "住院治疗", "外出探亲", "照顾家人")


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, 0), tzinfo=timezone.get_default_timezone()
    )


class _Builder:
    """Collects activities with their hosts, then writes them in a few bulk inserts."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.pending: list[tuple[Activity, list[int]]] = []

    def add(
        self,
        *,
        type: str,
        lead: Organization,
        day: datetime.date,
        title: str,
        co_hosts: list[Organization] = (),
        brand: str = "",
        hours: int = 2,
        **fields,
    ) -> Activity:
        start = _at(day)
        status = ActivityStatus.HELD if start < self.now else ActivityStatus.PLANNED
        activity = Activity(
            type=type,
            brand=brand,
            organization=lead,
            title=title,
            start=start,
            end=start + datetime.timedelta(hours=hours),
            status=fields.pop("status", status),
            is_joint=bool(co_hosts),
            **fields,
        )
        self.pending.append((activity, [lead.pk, *(o.pk for o in co_hosts)]))
        return activity

    def save(self) -> list[Activity]:
        activities = Activity.objects.bulk_create(
            [activity for activity, _hosts in self.pending], batch_size=2000
        )
        links = [
            ActivityHost(activity_id=activity.pk, organization_id=org_id, is_lead=index == 0)
            for activity, (_a, host_ids) in zip(activities, self.pending, strict=True)
            for index, org_id in enumerate(host_ids)
        ]
        ActivityHost.objects.bulk_create(links, batch_size=5000)
        self.pending = []
        return activities


class _AllBut:
    """`[o for o in items if o != left_out] or fallback` without building the list: the same
    length and items, so `rng.choice` draws the same organization (at --scale 50 the list of
    partners is thousands long and was rebuilt for every joint activity)."""

    def __init__(self, items: list, positions: dict[int, int], left_out, fallback: list):
        self.items = items
        self.skip = positions.get(left_out.pk) if left_out is not None else None
        self.fallback = fallback if len(items) - (self.skip is not None) == 0 else None

    def __len__(self) -> int:
        if self.fallback is not None:
            return len(self.fallback)
        return len(self.items) - (self.skip is not None)

    def __getitem__(self, index: int):
        if self.fallback is not None:
            return self.fallback[index]
        if self.skip is not None and index >= self.skip:
            index += 1
        return self.items[index]


def _regular(builder: _Builder, rng, organizations, schedule, today: datetime.date, behind: set):
    for org in organizations:
        for year in range(REGULAR_FROM_YEAR, today.year + 1):
            for activity_type, months, day, title in schedule:
                for month in months:
                    held_on = datetime.date(year, month, min(day + rng.randint(-3, 3), 28))
                    if held_on > today + datetime.timedelta(days=20):
                        continue
                    # A branch behind skips this year's meetings since the summer.
                    if org.pk in behind and year == today.year and month >= 6:
                        continue
                    builder.add(type=activity_type, lead=org, day=held_on, title=title)


def seed(*, context) -> None:
    out = context.stdout
    required_frequencies_ensure_defaults()
    if Activity.objects.filter(title=EPIDEMIC_MARKER).exists():
        out.write("activities: already seeded, nothing to do")
        return
    organizations = list(
        Organization.objects.filter(status=Status.ACTIVE)
        .order_by("path")
        .select_related("department")
    )
    if not organizations:
        out.write("activities: no organizations (branches step missing), skipped")
        return
    rng = context.rng
    now = timezone.now()
    today = timezone.localdate()
    branches = [o for o in organizations if o.kind in (Kind.BRANCH, Kind.GENERAL_BRANCH)]
    groups = [o for o in organizations if o.kind == Kind.PARTY_GROUP]
    departments = [o for o in branches if o.category == Category.ESTABLISHED and o.department_id]
    party = [o for o in organizations if o.is_party]
    partners = [o for o in organizations if not o.is_party] or party
    committee = next((o for o in organizations if o.kind == Kind.WORKING_COMMITTEE), party[0])
    secretary = context.users.get("secretary")
    secretary_org = getattr(secretary, "organization", None)

    # Roughly one branch in ten falls behind this year (never the demo secretary's).
    candidates = [o for o in branches if o != secretary_org]
    behind = {o.pk for o in rng.sample(candidates, k=max(1, len(candidates) // 10))}

    builder = _Builder(now)
    _regular(builder, rng, branches, BRANCH_SCHEDULE, today, behind)
    _regular(builder, rng, groups, GROUP_SCHEDULE, today, set())
    regular = builder.save()

    # Joint activities: the 32 theme party days joined by city-department branches first.
    # The community step's fulfilled claims are joint activities too (counted in the 254).

    # The alliance step makes some held joint activities of its own (seed_demo tells us how
    # many), so that the seed's 254 stays the total.
    joint_total = JOINT_ACTIVITIES * context.scale - context.reserved_joint_activities
    first_day, span = datetime.date(2020, 1, 1), (today - datetime.date(2020, 1, 1)).days
    for number in range(THEME_DAYS_WITH_DEPARTMENTS * context.scale):
        day = first_day + datetime.timedelta(days=rng.randrange(span))
        joined = rng.sample(departments, k=min(len(departments), rng.randint(2, 5)))
        builder.add(
            type=ActivityType.THEME_DAY,
            lead=committee,
            co_hosts=[o for o in joined if o != committee],
            day=day,
            title=f"市直部门离退休干部联合主题党日（第{number + 1}次）",
            brand=Brand.SILVER_PIONEER,
            outside_participants=rng.randint(0, 30),
        )
    partner_positions = {o.pk: index for index, o in enumerate(partners)}
    for _number in range(joint_total - THEME_DAYS_WITH_DEPARTMENTS * context.scale):
        activity_type, brand, title = rng.choice(JOINT_KINDS)
        lead = rng.choice(party)
        co_host = rng.choice(_AllBut(partners, partner_positions, lead, [committee]))
        day = first_day + datetime.timedelta(days=rng.randrange(span))
        builder.add(
            type=activity_type,
            lead=lead,
            co_hosts=[co_host],
            day=day,
            title=f"{title}·{co_host.name[:12]}",
            brand=brand,
            outside_participants=rng.randint(0, 60),
            status=ActivityStatus.HELD if _at(day) < now else ActivityStatus.PLANNED,
        )

    # The 2020 anti-epidemic online issues: 40 culture activities, 100+ authors.
    for issue in range(EPIDEMIC_ISSUES):
        day = datetime.date(2020, 2, 1) + datetime.timedelta(days=issue * 3)
        builder.add(
            type=ActivityType.CULTURE,
            lead=committee,
            day=day,
            title=EPIDEMIC_TITLE.format(number=issue + 1),
            brand=Brand.SILVER_GLOW,
            place_text="线上",
            is_online=True,
            authors=rng.randint(2, 4),
            hours=1,
        )

    # Lectures of the 宁夏首府桑榆红 lecture team.
    team, _created = LectureTeam.objects.get_or_create(
        name="宁夏首府桑榆红宣讲团",
        defaults={
            "campaign": "百名老党员·讲百场初心故事",
            "organization": committee,
            "target_lecturers": 100,
            "target_lectures": 100,
        },
    )
    for number in range(112):
        day = datetime.date(2021, 3, 1) + datetime.timedelta(days=number * 13)
        if day > today:
            break
        builder.add(
            type=ActivityType.LECTURE,
            lead=rng.choice(branches or party),
            day=day,
            title=f"百名老党员·讲百场初心故事（第{number + 1}场）",
            brand=Brand.SILVER_PIONEER,
            lecture_team=team,
            outside_participants=rng.randint(20, 120),
        )

    # Volunteering (hours follow below, when members exist).
    for number in range(150):
        day = first_day + datetime.timedelta(days=rng.randrange(span))
        builder.add(
            type=ActivityType.VOLUNTEERING,
            lead=rng.choice(branches or party),
            day=day,
            title=rng.choice(("义诊进社区", "文明交通劝导", "社区环境整治", "关爱留守老人")),
            brand=Brand.SILVER_SHINE,
            hours=3,
        )
        del number
    others = builder.save()

    counts = _people(context, rng, regular + others, branches, secretary_org, team, committee)
    _analyze()
    out.write(
        f"activities: {len(regular)} regular meetings ({len(behind)} branches behind), "
        f"{joint_total} joint, {len(others) - joint_total} other activities; {counts}"
    )


def _analyze() -> None:
    """Fresh planner statistics after the bulk load (PostgreSQL). Without them — autovacuum
    may be off or not have run yet — the planner takes the new tables for empty and the
    dashboard's grouped counts at --scale 50 ran for over ten minutes instead of one second."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _people(context, rng, activities, branches, secretary_org, team, committee) -> str:
    members_by_org: dict[int, list[int]] = {}
    limited: list[int] = []
    for pk, org_id, health in Member.objects.filter(status=MemberStatus.NORMAL).values_list(
        "pk", "organization_id", "health"
    ):
        members_by_org.setdefault(org_id, []).append(pk)
        if health == Health.LIMITED_MOBILITY:
            limited.append(pk)
    if not members_by_org:
        return "no members (members step missing): attendance, hours and training skipped"

    today = timezone.localdate()
    since = _at(today - datetime.timedelta(days=365))
    chosen = {o.pk for o in branches[: ATTENDANCE_BRANCHES * context.scale]}
    if secretary_org is not None:
        chosen.add(secretary_org.pk)
    rows = []
    attendance = 0
    for activity in activities:
        if len(rows) >= 20000:  # written as drawn: millions of rows at --scale 50
            Attendance.objects.bulk_create(rows, batch_size=5000)
            attendance += len(rows)
            rows = []
        if activity.status != ActivityStatus.HELD or activity.start < since:
            continue
        if activity.organization_id not in chosen or not activity.is_meeting:
            continue
        for member_id in members_by_org.get(activity.organization_id, []):
            roll = rng.random()
            if roll < 0.86:
                status, reason = AttendanceStatus.PRESENT, ""
            elif roll < 0.94:
                status, reason = AttendanceStatus.EXCUSED, rng.choice(EXCUSE_REASONS)
            else:
                status, reason = AttendanceStatus.ABSENT, ""
            rows.append(
                Attendance(
                    activity_id=activity.pk,
                    member_id=member_id,
                    status=status,
                    excused_reason=reason,
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=5000)
    attendance += len(rows)

    hours = []
    for activity in activities:
        if activity.type != ActivityType.VOLUNTEERING or activity.status != ActivityStatus.HELD:
            continue
        pool = members_by_org.get(activity.organization_id, [])
        for member_id in rng.sample(pool, k=min(len(pool), rng.randint(4, 12))):
            hours.append(
                VolunteerHours(
                    member_id=member_id,
                    activity_id=activity.pk,
                    hours=Decimal(rng.choice(("1.5", "2.0", "2.5", "3.0"))),
                    date=timezone.localdate(activity.start),
                )
            )
    VolunteerHours.objects.bulk_create(hours, batch_size=5000)

    everyone = [pk for pks in members_by_org.values() for pk in pks]
    team.members.set(rng.sample(everyone, k=min(100, len(everyone))))

    sessions = 0
    for kind, count, trainers in (
        (TrainingKind.CENTRAL, 6, "市委党校教师"),
        (TrainingKind.OBSERVATION, 8, "示范点党支部书记"),
        (TrainingKind.HOME_DELIVERY, 20, "支部委员"),
    ):
        for number in range(count):
            org = rng.choice(branches or [committee])
            session = TrainingSession.objects.create(
                title=f"{kind.label}（第{number + 1}期）",
                kind=kind,
                organization=org,
                date=datetime.date(2021, 1, 10) + datetime.timedelta(days=70 * number + 7 * count),
                hours=Decimal("2.0") if kind != TrainingKind.CENTRAL else Decimal("6.0"),
                trainers=trainers,
            )
            pool = (
                limited
                if kind == TrainingKind.HOME_DELIVERY and limited
                else (members_by_org.get(org.pk) or everyone)
            )
            session.trainees.set(
                rng.sample(pool, k=min(len(pool), 3 if kind == TrainingKind.HOME_DELIVERY else 25))
            )
            sessions += 1

    for year in (2023, 2024, 2025):
        contest = Contest.objects.create(
            title=f"{year}年度离退休干部党员微党课评选", year=year, organization=committee
        )
        entries = ContestEntry.objects.bulk_create(
            [
                ContestEntry(contest=contest, member_id=member_id, title=f"微党课：初心故事{n + 1}")
                for n, member_id in enumerate(rng.sample(everyone, k=min(12, len(everyone))))
            ]
        )
        JudgeScore.objects.bulk_create(
            [
                JudgeScore(entry=entry, judge=judge, score=Decimal(rng.randint(780, 985)) / 10)
                for entry in entries
                for judge in ("评委一", "评委二", "评委三", "评委四", "评委五")
            ]
        )
    return (
        f"{attendance} attendance records, {len(hours)} volunteer-hours lines, "
        f"{sessions} training sessions, 3 micro-lecture contests"
    )
