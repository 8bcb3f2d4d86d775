"""The Yinchuan organization tree and alliance registry for `seed_demo` (DOMAIN.md figures).

At scale 1: the working committee; 61 established branches of city departments (23 directly
managed); the three-affinity tree (1 joint committee, 1 general branch, 22 branches,
135 functional groups); 6 pilot communities with their community party organizations,
volunteer teams, elderly associations and social groups; 银川老年大学 and its branches;
135 organizations in the alliance; targets for 2025 and 2026.

Deterministic (context.rng), idempotent (what exists is left alone) and fast (bulk_create per
tree level, paths written after). `context.scale` repeats the city's organizations with a
suffix on their names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from branches import demo_funds
from branches.models import (
    PATH_STEP,
    Affinity,
    Brand,
    Category,
    CommitteePosition,
    CommitteeTerm,
    Community,
    Department,
    District,
    Kind,
    Organization,
    Position,
)
from branches.reference import load_reference_data

WORKING_COMMITTEE = "银川市离退休干部（老龄）工作委员会"
JOINT_COMMITTEE = "银川市离退休干部三缘型联合党委"
GENERAL_BRANCH = "银川老年大学三缘型党总支"
ELDERLY_UNIVERSITY = "银川老年大学"

ESTABLISHED_BRANCHES = 61
DIRECTLY_MANAGED = 23
THREE_AFFINITY_BRANCHES = 22
FUNCTIONAL_GROUPS = 135
ALLIANCE_SIZE = 135
ALLIANCE_BY_END_OF_2025 = 68

# (district, community, pilot year)
PILOT_COMMUNITIES = (
    ("兴庆区", "北关社区", 2021),
    ("金凤区", "阅海万家社区", 2021),
    ("西夏区", "地矿局社区", 2021),
    ("金凤区", "宝湖社区", 2022),
    ("西夏区", "玫瑰园社区", 2022),
    ("兴庆区", "信义社区", 2022),
)
# Other communities whose party organizations joined the alliance.
PARTNER_COMMUNITIES = (
    ("兴庆区", "崇安社区"),
    ("兴庆区", "兴隆社区"),
    ("金凤区", "长城花园社区"),
    ("金凤区", "满春园社区"),
    ("金凤区", "紫阳社区"),
    ("西夏区", "康庄社区"),
    ("西夏区", "西花园社区"),
    ("西夏区", "沁园社区"),
    ("兴庆区", "丽景社区"),
)
CITY_VOLUNTEER_TEAMS = (
    "宁夏首府桑榆红宣讲团",
    "银发先锋志愿服务队",
    "银耀银川志愿服务总队",
    "老干部法律服务志愿队",
    "银霞满天文艺志愿队",
    "老专家医疗义诊志愿队",
)
UNIVERSITY_BRANCHES = ("兴庆分校", "金凤分校", "西夏分校", "贺兰分校")

# Departments whose retirees form two branches, and how the two are named.
SPLIT_NAMES = (("在职离退休干部党支部", "离退休干部党支部"),)
TWO_BRANCH_NAMES = (("离退休干部第一党支部", "离退休干部第二党支部"),)

RESIDENCE_BRANCHES = ("北关", "阅海万家", "地矿局", "宝湖", "玫瑰园", "信义", "丽景", "长城花园")
PROFESSION_BRANCHES = (
    "教育系统",
    "政法系统",
    "卫生健康系统",
    "文化宣传系统",
    "城建交通系统",
    "农业水利系统",
    "财经金融系统",
)
INTEREST_BRANCHES = (
    "老年大学书画",
    "老年大学声乐",
    "老年大学舞蹈",
    "老年大学摄影",
    "太极健身",
    "诗词楹联",
    "红色宣讲",
)
GROUP_NAMES = {
    Affinity.INTEREST: (
        "书画",
        "合唱",
        "太极拳",
        "摄影",
        "诗词",
        "舞蹈",
        "京剧",
        "器乐",
        "门球",
        "乒乓球",
        "健身操",
        "读书",
        "旅游",
        "剪纸",
        "朗诵",
        "模特",
    ),
    Affinity.PROFESSION: ("宣讲", "法律服务", "医疗保健", "关心下一代", "调解", "科技咨询"),
    Affinity.RESIDENCE: ("楼栋", "网格", "小区", "院落"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = (
    "建国",
    "秀兰",
    "志强",
    "文华",
    "玉梅",
    "德明",
    "桂英",
    "学军",
    "淑珍",
    "振华",
    "国庆",
    "凤琴",
)


@dataclass
class Node:
    """An organization to be created (if missing) and the nodes under it."""

    name: str
    kind: str
    fields: dict = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    alliance: tuple | None = None  # (hub, role, joined_on)
    term_started_on: datetime.date | None = None
    obj: Organization | None = None


def _suffix(copy: int) -> str:
    return "" if copy == 0 else f"（{copy + 1}）"


def random_date(rng, start_year: int, end_year: int) -> datetime.date:
    start = datetime.date(start_year, 1, 1).toordinal()
    end = datetime.date(end_year, 12, 28).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _established_branches(rng, copy: int, districts: dict) -> list[Node]:
    departments = list(Department.objects.order_by("name"))
    extra = ESTABLISHED_BRANCHES - len(departments)  # departments with two branches
    doubled = set(rng.sample(range(len(departments)), extra)) if extra > 0 else set()
    nodes = []
    for index, department in enumerate(departments):
        if index in doubled:
            names = rng.choice(SPLIT_NAMES + TWO_BRANCH_NAMES)
        else:
            names = ("离退休干部党支部",)
        for suffix_name in names:
            nodes.append(
                Node(
                    name=f"{department.name}{suffix_name}{_suffix(copy)}",
                    kind=Kind.BRANCH,
                    fields={
                        "category": Category.ESTABLISHED,
                        "department": department,
                        "district": districts[rng.choice(("兴庆区", "金凤区", "西夏区"))],
                        "founded_on": random_date(rng, 1995, 2015),
                    },
                    term_started_on=random_date(rng, 2023, 2025),
                )
            )
    nodes = nodes[:ESTABLISHED_BRANCHES]
    for node in rng.sample(nodes, DIRECTLY_MANAGED):
        node.fields["directly_managed"] = True
    return nodes


def _three_affinity_tree(rng, copy: int, communities: dict) -> Node:
    suffix = _suffix(copy)
    branch_specs = (
        [(f"{name}地缘党支部", Affinity.RESIDENCE) for name in RESIDENCE_BRANCHES]
        + [(f"{name}业缘党支部", Affinity.PROFESSION) for name in PROFESSION_BRANCHES]
        + [(f"{name}趣缘党支部", Affinity.INTEREST) for name in INTEREST_BRANCHES]
    )
    assert len(branch_specs) == THREE_AFFINITY_BRANCHES
    # 135 groups over 22 branches: 3 branches with 7 groups, 19 with 6.
    sizes = [7] * 3 + [6] * 19
    rng.shuffle(sizes)
    pool = [(name, affinity) for affinity, names in GROUP_NAMES.items() for name in names]
    branches = []
    for (name, affinity), size in zip(branch_specs, sizes, strict=True):
        fields = {"category": Category.THREE_AFFINITY, "affinity": affinity}
        community_name = name.removesuffix("地缘党支部") + "社区"
        community = communities.get(community_name)
        if community is not None:
            fields.update(district=community.district, community=community)
        groups = [
            Node(
                name=f"{group_name}功能党小组",
                kind=Kind.PARTY_GROUP,
                fields={"category": Category.THREE_AFFINITY, "affinity": group_affinity},
            )
            for group_name, group_affinity in rng.sample(pool, size)
        ]
        fields["founded_on"] = random_date(rng, 2018, 2021)
        branches.append(
            Node(
                name=name + suffix,
                kind=Kind.BRANCH,
                fields=fields,
                children=groups,
                term_started_on=random_date(rng, 2023, 2025),
            )
        )
    general = Node(
        name=GENERAL_BRANCH + suffix,
        kind=Kind.GENERAL_BRANCH,
        fields={"category": Category.THREE_AFFINITY, "founded_on": datetime.date(2019, 7, 1)},
        children=[b for b in branches if "老年大学" in b.name],
        term_started_on=datetime.date(2024, 7, 1),
    )
    others = [b for b in branches if "老年大学" not in b.name]
    return Node(
        name=JOINT_COMMITTEE + suffix,
        kind=Kind.JOINT_COMMITTEE,
        fields={"category": Category.THREE_AFFINITY, "founded_on": datetime.date(2019, 7, 1)},
        children=[general, *others],
        term_started_on=datetime.date(2024, 7, 1),
    )


def _community_partners(rng, copy: int, communities: dict) -> list[Node]:
    suffix = _suffix(copy)
    nodes = []
    for _district, name, pilot_year in PILOT_COMMUNITIES:
        community = communities[name]
        place = {"district": community.district, "community": community}
        short = name.removesuffix("社区")
        nodes.append(
            Node(
                name=f"{name}党委{suffix}",
                kind=Kind.COMMUNITY_ORG,
                fields={**place, "pilot_year": pilot_year, "brand": Brand.SILVER_PIONEER},
                term_started_on=random_date(rng, 2021, 2024),
                children=[
                    Node(
                        name=f"{short}社区银龄志愿服务队",
                        kind=Kind.VOLUNTEER_TEAM,
                        fields={**place, "brand": Brand.SILVER_SHINE},
                    ),
                    Node(
                        name=f"{short}社区老党员调解队",
                        kind=Kind.VOLUNTEER_TEAM,
                        fields=dict(place),
                    ),
                    Node(
                        name=f"{short}社区老年人协会",
                        kind=Kind.ELDERLY_ASSOCIATION,
                        fields=dict(place),
                        children=[
                            Node(
                                name=f"{short}社区夕阳红艺术团",
                                kind=Kind.ELDERLY_GROUP,
                                fields={**place, "brand": Brand.SILVER_GLOW},
                            )
                        ],
                    ),
                ],
            )
        )
    for _district, name in PARTNER_COMMUNITIES:
        community = communities.get(name)
        if community is None:
            continue
        nodes.append(
            Node(
                name=f"{name}党委{suffix}",
                kind=Kind.COMMUNITY_ORG,
                fields={"district": community.district, "community": community},
                term_started_on=random_date(rng, 2021, 2024),
            )
        )
    for name in CITY_VOLUNTEER_TEAMS:
        nodes.append(Node(name=name + suffix, kind=Kind.VOLUNTEER_TEAM))
    nodes.append(
        Node(
            name=ELDERLY_UNIVERSITY + suffix,
            kind=Kind.ELDERLY_UNIVERSITY,
            fields={"founded_on": datetime.date(1986, 9, 1), "demonstration_year": 2021},
            children=[
                Node(name=f"{ELDERLY_UNIVERSITY}{branch}", kind=Kind.ELDERLY_UNIVERSITY)
                for branch in UNIVERSITY_BRANCHES
            ],
        )
    )
    return nodes


def _walk(nodes: list[Node], parent: Node | None = None, depth: int = 0):
    for node in nodes:
        yield node, parent, depth
        yield from _walk(node.children, node, depth + 1)


def _plan(rng, scale: int) -> list[Node]:
    districts = {d.name: d for d in District.objects.all()}
    wanted = {name for _d, name, _y in PILOT_COMMUNITIES} | {
        name for _d, name in PARTNER_COMMUNITIES
    }
    communities = {}
    for community in Community.objects.filter(name__in=wanted).select_related("district"):
        communities.setdefault(community.name, community)
    committee = Node(
        name=WORKING_COMMITTEE,
        kind=Kind.WORKING_COMMITTEE,
        fields={"founded_on": datetime.date(2019, 3, 1), "annual_theme": "银发生辉 党建引领"},
    )
    roots = [committee]
    for copy in range(scale):
        committee.children += _established_branches(rng, copy, districts)
        committee.children.append(_three_affinity_tree(rng, copy, communities))
        roots += _community_partners(rng, copy, communities)
    return roots


def _create_missing(roots: list[Node]) -> int:
    """Create the nodes that do not exist yet, one bulk insert per tree level."""
    existing = {(org.parent_id, org.name): org for org in Organization.objects.all()}
    levels: dict[int, list[tuple[Node, Node | None]]] = {}
    for node, parent, depth in _walk(roots):
        levels.setdefault(depth, []).append((node, parent))
    created = 0
    for depth in sorted(levels):
        new = []
        for node, parent in levels[depth]:
            parent_id = parent.obj.pk if parent else None
            node.obj = existing.get((parent_id, node.name))
            if node.obj is None:
                node.obj = Organization(
                    name=node.name,
                    kind=node.kind,
                    parent=parent.obj if parent else None,
                    **node.fields,
                )
                node.obj.clean()
                new.append(node.obj)
        if new:
            Organization.objects.bulk_create(new)
            for org in new:
                parent_path = org.parent.path if org.parent_id else ""
                org.path = f"{parent_path}{org.pk:0{PATH_STEP}d}/"
                org.depth = depth
            Organization.objects.bulk_update(new, ["path", "depth"])
            created += len(new)
    return created


def _terms(rng, roots: list[Node]) -> None:
    with_term = set(CommitteeTerm.objects.values_list("organization_id", flat=True))
    terms, seats = [], []
    for node, _parent, _depth in _walk(roots):
        started = node.term_started_on
        if started is None:
            continue
        # Draw the seats whether or not the term exists, so the random sequence (which later
        # demo steps share) is the same on every run.
        size = rng.choice((0, 3, 3, 5))  # some committees are still to be filled in
        names = [_person(rng) for _ in range(size)]
        if node.obj.pk in with_term:
            continue
        years = 5 if node.kind == Kind.COMMUNITY_ORG else 3
        term = CommitteeTerm(
            organization=node.obj,
            started_on=started,
            ends_on=started.replace(year=started.year + years, day=min(started.day, 28)),
            is_current=True,
        )
        terms.append(term)
        seats += [
            CommitteePosition(term=term, position=position, person_name=name)
            for position, name in zip(list(Position)[:size], names, strict=True)
        ]
    CommitteeTerm.objects.bulk_create(terms)
    CommitteePosition.objects.bulk_create(seats)


def seed(*, context) -> None:
    load_reference_data()
    rng = context.rng
    roots = _plan(rng, context.scale)
    created = _create_missing(roots)
    _terms(rng, roots)
    # The alliance registry is seeded by alliance.demo.seed_registry, the next step, from
    # these nodes (in this order, with the same random stream).
    context.organization_nodes = [node for node, _parent, _depth in _walk(roots)]

    users = context.users
    by_name = {node.name: node.obj for node, _p, _d in _walk(roots)}
    secretary = users.get("secretary")
    if secretary is not None:
        secretary.organization = by_name["阅海万家地缘党支部"]
        secretary.save(update_fields=["organization"])
    liaison = users.get("liaison")
    if liaison is not None:
        org = by_name["阅海万家社区党委"]
        liaison.community = org.community
        liaison.organization = org
        liaison.save(update_fields=["community", "organization"])
    context.stdout.write(f"branches: {created} organizations created")
    demo_funds.seed(context=context)
