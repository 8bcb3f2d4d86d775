"""Demo members for `seed_demo` (DOMAIN.md figures, times context.scale).

1,717 members in the established branches — 234 of them in the 23 directly managed branches,
206 of those (88%) aged 70 or over — and 3,383 in the three-affinity tree (relations in its
branches and general branch, participations in its functional groups). These are living
members with normal status, as the seed counts them; a few deceased and transferred-out
records (kept, as members with history are never deleted) come on top in each population. Realistic names,
valid ID numbers (region + birth date + order code + GB 11643 check digit, gender digit
consistent), ages 60–98, skills, community registrations in Yinchuan communities.

Deterministic (context.rng), idempotent (skipped when the demo organizations already hold
members) and fast (bulk inserts; skills and participations through their tables in bulk).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from branches.models import Category, Community, Kind, Organization
from members.identity import make_id_number, pinyin_initials
from members.models import (
    SKILLS,
    Commendation,
    Education,
    Gender,
    Health,
    Member,
    MemberCategory,
    MemberStatus,
    Participation,
    Skill,
)
from members.selectors import _years_ago

ESTABLISHED_MEMBERS = 1717
DIRECTLY_MANAGED_MEMBERS = 234
DIRECTLY_MANAGED_AGED_70 = 206  # 88% of 234
THREE_AFFINITY_MEMBERS = 3383
SECRETARY_BRANCH_MINIMUM = 40
# Records kept after a member died or moved the relation out of the city (never deleted):
# EXTRA to the figures above, which count living members with normal status.
DECEASED_SHARE = 0.004
TRANSFERRED_OUT_SHARE = 0.0015

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷"
    "钱汤尹易常武乔贺赖龚文马马马纳丁海"
)
MALE_GIVEN = "建国军明华强伟志刚永平振海德忠文斌立新广福长生保学成宝玉庆荣春林树东胜利俊峰"
FEMALE_GIVEN = "秀兰英华玉珍桂芳淑凤丽萍琴霞云梅红莲芬敏静燕娟素琼月翠菊爱兰慧芝"
REGIONS = ("640104", "640105", "640106", "640121", "640122", "640181", "640102", "640302")
FORMER_UNITS = (
    "银川市教育局",
    "银川市卫生健康委员会",
    "银川市财政局",
    "银川市公安局",
    "宁夏煤炭地质局",
    "宁夏地质矿产勘查开发局",
    "银川市第一人民医院",
    "银川市第二中学",
    "银川铁路局",
    "银川市供销社",
    "西北轴承厂",
    "银川橡胶厂",
)
POSTS = ("科员", "科长", "副处长", "处长", "教师", "医生", "工程师", "会计", "技术员", "干部")
MOBILE_TO = ("北京市海淀区", "西安市雁塔区", "海南省三亚市", "上海市浦东新区", "石嘴山市")
TITLES = (
    ("优秀共产党员", "中共银川市委"),
    ("优秀离退休干部党员", "银川市委老干部局"),
    ("最美老干部", "中共宁夏回族自治区委员会老干部局"),
    ("银龄先锋", "银川市委老干部局"),
)


def _name(rng, gender: str) -> str:
    given = MALE_GIVEN if gender == Gender.MALE else FEMALE_GIVEN
    length = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(length))


def _born(rng, today: datetime.date, age: int) -> datetime.date:
    return _years_ago(today, age) - datetime.timedelta(days=rng.randint(0, 364))


def _phone(rng) -> str:
    if rng.random() < 0.1:
        return f"0951-{rng.randint(5000000, 6999999)}"
    return f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}"


class _Builder:
    def __init__(self, rng, today, communities, used_ids):
        self.rng = rng
        self.today = today
        self.communities = communities
        self.used = used_ids

    def id_number(self, born, gender) -> str:
        while True:
            number = make_id_number(
                self.rng.choice(REGIONS), born, self.rng.randint(0, 499), gender
            )
            if number not in self.used:
                self.used.add(number)
                return number

    def address(self, community) -> str:
        community = community or self.rng.choice(self.communities)
        return f"银川市{community.district.name}{community.name}{self.rng.randint(1, 30)}号楼"

    def member(self, organization: Organization, age: int) -> Member:
        rng = self.rng
        gender = Gender.MALE if rng.random() < 0.56 else Gender.FEMALE
        born = _born(rng, self.today, age)
        name = _name(rng, gender)
        joined = born + datetime.timedelta(days=rng.randint(19 * 365, 38 * 365))
        joined = min(joined, self.today - datetime.timedelta(days=800))
        confirmed = joined + datetime.timedelta(days=365) if rng.random() < 0.98 else None
        community = None
        registered_on = None
        if rng.random() < 0.72:
            community = organization.community if organization.community_id else None
            if community is None or rng.random() < 0.4:
                community = rng.choice(self.communities)
            registered_on = datetime.date(rng.randint(2019, 2025), rng.randint(1, 12), 1)
        lost = rng.random() < 0.006
        mobile = rng.random() < 0.02
        health_roll = rng.random()
        health = (
            Health.LIMITED_MOBILITY
            if health_roll < 0.06 + max(0, age - 80) * 0.01
            else (Health.FAIR if health_roll < 0.4 else Health.GOOD)
        )
        category = (
            MemberCategory.RETIRED_BEFORE_1949
            if age >= 94 and rng.random() < 0.5
            else (MemberCategory.OTHER_ELDERLY if rng.random() < 0.08 else MemberCategory.RETIRED)
        )
        education = rng.choices([e.value for e in Education], weights=[4, 10, 18, 14, 22, 26, 6])[0]
        unit = (
            organization.department.name if organization.department_id else rng.choice(FORMER_UNITS)
        )
        return Member(
            name=name,
            name_initials=pinyin_initials(name),
            gender=gender,
            ethnicity="回族" if rng.random() < 0.14 else "汉族",
            id_number=self.id_number(born, gender),
            birth_date=born,
            education=education,
            joined_party_on=joined,
            confirmed_on=confirmed,
            category=category,
            former_unit=unit,
            former_post=rng.choice(POSTS),
            phone=_phone(rng),
            address=self.address(community),
            lost_contact=lost,
            lost_contact_since=datetime.date(2025, rng.randint(1, 5), 1) if lost else None,
            is_mobile=mobile,
            mobile_to=rng.choice(MOBILE_TO) if mobile else "",
            health=health,
            willing_to_volunteer=age < 85 and rng.random() < 0.6,
            status=MemberStatus.NORMAL,
            organization=organization,
            registered_community=community,
            registered_on=registered_on,
        )


def _spread(rng, organizations: list, total: int) -> list:
    """`total` organizations picked so that each gets a share (uneven, every one some)."""
    weights = [rng.uniform(0.6, 1.6) for _ in organizations]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    while sum(counts) > total:
        counts[counts.index(max(counts))] -= 1
    index = 0
    while sum(counts) < total:
        counts[index % len(counts)] += 1
        index += 1
    return [org for org, n in zip(organizations, counts, strict=True) for _ in range(n)]


def _inactive_records(rng, builder, direct, others, three_affinity, scale) -> list[Member]:
    """Deceased and transferred-out records, extra to the populations counted above."""
    records = []
    for organizations, population in (
        (direct, DIRECTLY_MANAGED_MEMBERS),
        (others, ESTABLISHED_MEMBERS - DIRECTLY_MANAGED_MEMBERS),
        (three_affinity, THREE_AFFINITY_MEMBERS),
    ):
        for status, share in (
            (MemberStatus.DECEASED, DECEASED_SHARE),
            (MemberStatus.TRANSFERRED_OUT, TRANSFERRED_OUT_SHARE),
        ):
            for _i in range(max(1, round(population * scale * share))):
                age = (
                    rng.randint(80, 98) if status == MemberStatus.DECEASED else rng.randint(60, 79)
                )
                member = builder.member(rng.choice(organizations), age)
                member.status = status
                records.append(member)
    return records


def seed(*, context) -> None:
    rng = context.rng
    scale = context.scale
    out = context.stdout
    established = list(
        Organization.objects.filter(kind=Kind.BRANCH, category=Category.ESTABLISHED)
        .select_related("department", "community")
        .order_by("path")
    )
    three_affinity = list(
        Organization.objects.filter(
            kind__in=[Kind.BRANCH, Kind.GENERAL_BRANCH], category=Category.THREE_AFFINITY
        )
        .select_related("department", "community")
        .order_by("path")
    )
    groups = list(
        Organization.objects.filter(
            kind=Kind.PARTY_GROUP, category=Category.THREE_AFFINITY
        ).order_by("path")
    )
    direct = [o for o in established if o.directly_managed]
    others = [o for o in established if not o.directly_managed]
    if not direct or not others or not three_affinity:
        out.write("members: the demo organizations are not there yet; skipped")
        return
    if Member.objects.filter(organization__in=established + three_affinity).exists():
        out.write("members: demo members already there; left alone")
        return

    today = timezone.localdate()
    communities = list(Community.objects.exclude(name="").select_related("district"))
    used = set(Member.objects.values_list("id_number", flat=True))
    builder = _Builder(rng, today, communities, used)
    members: list[Member] = []

    # Directly managed branches: exactly 88% aged 70 or over.
    n_direct = DIRECTLY_MANAGED_MEMBERS * scale
    n_direct_old = DIRECTLY_MANAGED_AGED_70 * scale
    for index, org in enumerate(_spread(rng, direct, n_direct)):
        age = rng.randint(70, 98) if index < n_direct_old else rng.randint(60, 69)
        members.append(builder.member(org, age))
    rng.shuffle(members)

    def age_for_rest() -> int:
        return rng.choice((rng.randint(60, 69), rng.randint(70, 79), rng.randint(80, 98)))

    for org in _spread(rng, others, (ESTABLISHED_MEMBERS - DIRECTLY_MANAGED_MEMBERS) * scale):
        members.append(builder.member(org, age_for_rest()))

    secretary = context.users.get("secretary")
    secretary_org = getattr(secretary, "organization", None)
    targets = _spread(rng, three_affinity, THREE_AFFINITY_MEMBERS * scale)
    if secretary_org is not None and secretary_org in three_affinity:
        short = SECRETARY_BRANCH_MINIMUM - targets.count(secretary_org)
        for _i in range(max(0, short)):
            # move a few relations from the largest branch to the demo secretary's
            biggest = max(set(targets), key=targets.count)
            targets[targets.index(biggest)] = secretary_org
    three_start = len(members)
    for org in targets:
        members.append(builder.member(org, age_for_rest()))
    if secretary_org is not None and secretary_org not in three_affinity + established:
        members.extend(builder.member(secretary_org, age_for_rest()) for _ in range(20))
    inactive = _inactive_records(rng, builder, direct, others, three_affinity, scale)
    three_end = len(members)
    members.extend(inactive)

    Member.objects.bulk_create(members, batch_size=1000)
    if members[0].pk is None:  # backends that do not return ids
        ids = dict(
            Member.objects.filter(id_number__in=[m.id_number for m in members]).values_list(
                "id_number", "pk"
            )
        )
        for member in members:
            member.pk = ids[member.id_number]

    # The skill list is reference data (members migration 0002); make sure it is there, as the
    # branches step reloads its own reference data: a flushed test database has none.
    for name, _label in SKILLS:
        Skill.objects.get_or_create(name=name)
    skills = list(Skill.objects.all())
    Through = Member.skills.through
    links = []
    for member in members:
        if rng.random() < 0.45 and skills:
            for skill in rng.sample(skills, rng.choice((1, 1, 2, 3))):
                links.append(Through(member_id=member.pk, skill_id=skill.pk))
    Through.objects.bulk_create(links, batch_size=2000)

    groups_by_branch: dict[int, list[Organization]] = {}
    for group in groups:
        groups_by_branch.setdefault(group.parent_id, []).append(group)
    roles = ("组员",) * 12 + ("组长", "副组长", "联络员")
    participations = []
    for member in members[three_start:three_end]:
        own = groups_by_branch.get(member.organization_id) or groups
        if not own:
            break
        chosen = {rng.choice(own).pk}
        if rng.random() < 0.2 and groups:
            chosen.add(rng.choice(groups).pk)
        for group_id in chosen:
            participations.append(
                Participation(
                    member_id=member.pk,
                    organization_id=group_id,
                    role=rng.choice(roles),
                    joined_on=datetime.date(rng.randint(2019, 2025), rng.randint(1, 12), 1),
                )
            )
    for member in members[:three_start]:
        if groups and rng.random() < 0.15:
            participations.append(
                Participation(
                    member_id=member.pk,
                    organization_id=rng.choice(groups).pk,
                    role="组员",
                    joined_on=datetime.date(rng.randint(2020, 2025), rng.randint(1, 12), 1),
                )
            )
    Participation.objects.bulk_create(participations, batch_size=2000)

    commendations = []
    for member in members:
        if rng.random() < 0.05:
            title, by = rng.choice(TITLES)
            commendations.append(
                Commendation(
                    member_id=member.pk, title=title, year=rng.randint(2015, 2025), awarded_by=by
                )
            )
    Commendation.objects.bulk_create(commendations, batch_size=2000)
    out.write(
        f"members: {len(members)} members, {len(participations)} participations, "
        f"{len(links)} skills, {len(commendations)} commendations"
    )
