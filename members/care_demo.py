"""Demo care (走访慰问), party dues (党费), commendations of organizations and the two leaders
for `seed_demo` (after the members step), at the seed's scale; everything in bulk.

- care flags on a plausible share of the members aged 70 and over: ~6% ill or in hospital,
  ~8% living alone, ~3% in hardship, a few disabled or after a misfortune;
- visits over the past two years: festival visits to most of the old, birthday and
  political-birthday visits, hospital visits to the ill, home study for the disabled;
- a dues base for every member (normal status) this year and last, ~4% exempt or reduced;
  payments for nearly all: last year in one or two payments, this year up to last month;
  ~3% in arrears (nothing or only the first quarter this year);
- a few organizations' commendations; in the functional groups a 党组织书记 and an 活动带头人.
Idempotent: nothing is done when demo dues bases are already there."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from branches.models import Category, Kind, Organization
from core.history import bulk_create_with_action
from members.models import (
    OLD_AGE,
    CareFlag,
    CareFlagKind,
    CareVisit,
    CommendationLevel,
    DuesBase,
    DuesMode,
    DuesPayment,
    LeaderRole,
    Member,
    MemberStatus,
    OrganizationCommendation,
    Participation,
    VisitKind,
)

FLAG_SHARES = (  # of members aged 70+
    (CareFlagKind.ILL, 0.06, "住院治疗"),
    (CareFlagKind.LIVES_ALONE, 0.08, "子女在外地"),
    (CareFlagKind.HARDSHIP, 0.03, "医疗支出大，家庭困难"),
    (CareFlagKind.DISABLED, 0.02, "行动不便，需送学上门"),
    (CareFlagKind.MISFORTUNE, 0.005, "老伴去世"),
)
VISITORS = ("支部书记、组织委员", "支委会成员", "老干部局工作人员、支部书记", "党小组长")
GIFTS = (
    ("慰问金", Decimal("500.00")),
    ("米、面、油", Decimal("200.00")),
    ("生日蛋糕、鲜花", Decimal("150.00")),
    ("慰问品", Decimal("300.00")),
    ("学习资料", Decimal("0.00")),
)
ORGANIZATION_TITLES = (
    ("先进基层党组织", "中共银川市委", CommendationLevel.CITY),
    ("示范党支部", "银川市委老干部局", CommendationLevel.BUREAU),
    ("五星级党支部", "市离退休干部工委", CommendationLevel.BUREAU),
    ("优秀三缘型党组织", "中共兴庆区委", CommendationLevel.DISTRICT),
)
ARREARS_SHARE = 0.03
SPECIAL_DUES_SHARE = 0.04


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _day_in(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def seed(*, context) -> None:
    out = context.stdout
    rng = context.rng
    today = timezone.localdate()
    year = today.year
    if DuesBase.objects.filter(year=year).exists():
        out.write("care and dues: already seeded, nothing to do")
        return
    actor = context.users.get("bureau")
    if actor is None:
        out.write("care and dues: no demo bureau account; skipped")
        return
    members = list(
        Member.objects.filter(status=MemberStatus.NORMAL)
        .order_by("pk")
        .values_list("pk", "organization_id", "birth_date", "joined_party_on")
    )
    if not members:
        out.write("care and dues: no members yet; skipped")
        return

    # Care flags on the old.
    old = [m for m in members if _age(m[2], today) >= 70]
    flags, flagged = [], {}
    for kind, share, note in FLAG_SHARES:
        for pk, _org, _born, _joined in rng.sample(old, round(len(old) * share)):
            since = today - datetime.timedelta(days=rng.randint(5, 700))
            flags.append(
                CareFlag(member_id=pk, kind=kind, since=since, note=note, recorded_by=actor)
            )
            flagged.setdefault(pk, set()).add(kind)
    bulk_create_with_action(CareFlag, flags, "members.care_flag.demo", acting_user=actor)

    # Visits over the past two years.
    visits = []
    two_years_ago = today - datetime.timedelta(days=730)

    def visit(pk, org, day, kind, gift=True):
        gifts, value = rng.choice(GIFTS) if gift else ("", Decimal("0.00"))
        visits.append(
            CareVisit(
                member_id=pk,
                organization_id=org,
                visited_on=day,
                kind=kind,
                visitors=rng.choice(VISITORS),
                gifts=gifts,
                gift_value=value,
                needs=rng.choice(("", "", "希望多组织集中学习", "需要就医协助", "生活用品")),
                recorded_by=actor,
            )
        )

    festivals = [
        datetime.date(y, m, d)
        for y in (year - 2, year - 1, year)
        for m, d in ((1, 20), (9, 25))
        if two_years_ago <= datetime.date(y, m, d) <= today
    ]
    for pk, org, born, joined in old:
        age = _age(born, today)
        for festival in festivals:
            if rng.random() < (0.5 if age >= OLD_AGE else 0.15):
                visit(pk, org, festival + datetime.timedelta(days=rng.randint(0, 10)), "festival")
        last_birthday = born.replace(year=year) if (born.month, born.day) != (2, 29) else None
        if last_birthday and last_birthday > today:
            last_birthday = last_birthday.replace(year=year - 1)
        if last_birthday and (age % 10 == 0) and last_birthday >= two_years_ago:
            visit(pk, org, last_birthday, VisitKind.BIRTHDAY)
        if joined and (today.year - joined.year) % 10 == 0 and rng.random() < 0.5:
            anniversary = (
                joined.replace(year=year) if (joined.month, joined.day) != (2, 29) else None
            )
            if anniversary and anniversary <= today:
                visit(pk, org, anniversary, VisitKind.POLITICAL_BIRTHDAY)
        kinds = flagged.get(pk, set())
        if CareFlagKind.ILL in kinds and rng.random() < 0.7:
            visit(pk, org, _day_in(rng, today - datetime.timedelta(days=60), today), "hospital")
        if CareFlagKind.HARDSHIP in kinds and rng.random() < 0.6:
            visit(pk, org, _day_in(rng, two_years_ago, today), VisitKind.HARDSHIP)
        if CareFlagKind.DISABLED in kinds:
            for _i in range(rng.randint(1, 4)):
                day = _day_in(rng, two_years_ago, today)
                visit(pk, org, day, VisitKind.STUDY_DELIVERY, gift=False)
    CareVisit.objects.bulk_create(visits, batch_size=2000)

    # Dues bases this year and last, and the payments.
    bases, payments = [], []
    arrears = 0
    for pk, org, _born, _joined in members:
        pension = Decimal(rng.randint(2800, 9500))
        special = rng.random() < SPECIAL_DUES_SHARE
        monthly = {}
        for base_year, base in ((year - 1, pension), (year, pension * Decimal("1.03"))):
            base = base.quantize(Decimal("0.01"))
            row = DuesBase(member_id=pk, year=base_year, monthly_base=base, entered_by=actor)
            if special:
                row.mode = rng.choice((DuesMode.EXEMPT, DuesMode.REDUCED))
                row.flat_amount = Decimal("5.00") if row.mode == DuesMode.REDUCED else None
                row.reason = "长期患病，生活困难"
                row.approved_by = "支部委员会"
            bases.append(row)
            monthly[base_year] = row.monthly_dues
        # Last year: in one payment or in two halves.
        halves = ((1, 12),) if rng.random() < 0.6 else ((1, 6), (7, 6))
        for index, (first, months) in enumerate(halves):
            payments.append(
                DuesPayment(
                    member_id=pk,
                    organization_id=org,
                    first_month=datetime.date(year - 1, first, 1),
                    months=months,
                    amount=monthly[year - 1] * months,
                    paid_on=datetime.date(year - 1, first, rng.randint(5, 25)),
                    collected_by="组织委员",
                    receipt_number=f"DF{year - 1}-{pk:07d}-{index}",
                    recorded_by=actor,
                )
            )
        # This year, up to last month (a few in arrears: nothing, or the first quarter only).
        due_months = today.month - 1
        in_arrears = rng.random() < ARREARS_SHARE and due_months > 0 and monthly[year] > 0
        months = (3 if rng.random() < 0.5 else 0) if in_arrears else due_months
        months = min(months, due_months)
        arrears += in_arrears
        if months:
            payments.append(
                DuesPayment(
                    member_id=pk,
                    organization_id=org,
                    first_month=datetime.date(year, 1, 1),
                    months=months,
                    amount=monthly[year] * months,
                    paid_on=datetime.date(year, months, min(25, rng.randint(5, 28))),
                    collected_by="组织委员",
                    receipt_number=f"DF{year}-{pk:07d}-0",
                    recorded_by=actor,
                )
            )
    bulk_create_with_action(
        DuesBase, bases, "members.dues_base.demo", acting_user=actor, batch_size=2000
    )
    DuesPayment.objects.bulk_create(payments, batch_size=2000)

    # Commendations of organizations and the two leaders of the functional groups.
    branches = list(
        Organization.objects.filter(kind=Kind.BRANCH).order_by("path").values_list("pk", flat=True)
    )
    commendations = []
    for pk in rng.sample(branches, min(len(branches), 12 * context.scale)):
        title, body, level = rng.choice(ORGANIZATION_TITLES)
        commendations.append(
            OrganizationCommendation(
                organization_id=pk,
                title=title,
                awarded_by=body,
                level=level,
                year=rng.randint(year - 3, year),
                recorded_by=actor,
            )
        )
    OrganizationCommendation.objects.bulk_create(commendations)
    groups = Organization.objects.filter(kind=Kind.PARTY_GROUP, category=Category.THREE_AFFINITY)
    leaders = []
    seen: set[tuple[int, str]] = set()
    for participation in (
        Participation.objects.filter(organization__in=groups, left_on__isnull=True)
        .order_by("organization_id", "pk")
        .only("pk", "organization_id")
    ):
        for role in (LeaderRole.PARTY_SECRETARY, LeaderRole.ACTIVITY_LEADER):
            if (participation.organization_id, role) not in seen:
                seen.add((participation.organization_id, role))
                participation.leader = role
                leaders.append(participation)
                break
    Participation.objects.bulk_update(leaders, ["leader"], batch_size=2000)
    out.write(
        f"care and dues: {len(flags)} care flags, {len(visits)} visits, {len(bases)} dues bases, "
        f"{len(payments)} payments ({arrears} in arrears), {len(commendations)} organization "
        f"commendations, {len(leaders)} leaders"
    )
