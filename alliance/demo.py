"""Demo data of the alliance app: the registry and annual targets (`seed_registry`, right after
the organization tree) and community coordination (`seed`).

Needs and resources in the six pilot communities, some claimed, accepted and fulfilled
through held activities; the mediation studio 老王说和室 in 玫瑰园社区 with a rota and cases.
Deterministic (context.rng and today's date), idempotent (looked up by title), fast.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from activities.services import activity_mark_held
from alliance.models import (
    MEDIATOR_SKILLS,
    AllianceMembership,
    AllianceRole,
    AnnualTarget,
    Document,
    Hub,
    MediationStudio,
    Need,
    Resource,
)
from alliance.services import (
    CoordinationError,
    claim_accept,
    document_mark_read,
    document_publish,
    document_reply,
    mediation_case_record,
    need_claim,
    need_post,
    resource_claim,
    resource_post,
    rota_shift_add,
    studio_create,
)
from branches.demo import ALLIANCE_BY_END_OF_2025, ALLIANCE_SIZE, random_date
from branches.models import Community, Kind, Organization, Status
from core.actors import system_actor
from core.history import bulk_create_with_action
from members.models import Member, MemberStatus, Skill

PILOTS = ("北关社区", "阅海万家社区", "地矿局社区", "宝湖社区", "玫瑰园社区", "信义社区")

# (title, category, days from today to wanted-by, people, skills, fate)
# fate: "open", "claimed" (accepted, activity planned), "fulfilled" (activity held)
NEEDS = (
    ("防范电信诈骗宣讲", "lecture", 21, 2, ("宣讲",), "fulfilled"),
    ("重阳节文艺演出", "culture", 30, 6, ("文艺",), "claimed"),
    ("楼道环境整治志愿服务", "environment", 14, 8, (), "open"),
    ("老年人健康义诊", "health", 45, 3, ("医疗",), "fulfilled"),
    ("独居老人结对帮扶", "elderly_care", 60, 5, (), "open"),
    ("邻里纠纷调解志愿者", "mediation", 40, 2, ("调解", "法律"), "claimed"),
)
# (title, category, capacity, skills, fate)
RESOURCES = (
    ("书画进社区", "culture", 20, ("书画",), "fulfilled"),
    ("法律咨询进社区", "mediation", 30, ("法律",), "claimed"),
    ("红色故事宣讲", "lecture", 50, ("宣讲",), "open"),
)
STUDIO = ("玫瑰园社区", "老王说和室")


def _alliance(rng, nodes: list, scale: int) -> None:
    """Exactly ALLIANCE_SIZE × scale organizations in the alliance."""
    candidates = []
    for node in nodes:
        if node.kind in (Kind.WORKING_COMMITTEE, Kind.PARTY_GROUP):
            continue
        candidates.append(node)
    if len(candidates) < ALLIANCE_SIZE * scale:
        raise RuntimeError(f"only {len(candidates)} organizations to put in the alliance")
    members = candidates[: ALLIANCE_SIZE * scale]
    already = set(
        AllianceMembership.objects.filter(left_on__isnull=True).values_list(
            "organization_id", flat=True
        )
    )
    order = list(range(len(members)))
    rng.shuffle(order)
    early = set(order[: ALLIANCE_BY_END_OF_2025 * scale])
    rows = []
    for index, node in enumerate(members):
        university = node.kind == Kind.ELDERLY_UNIVERSITY or "老年大学" in node.name
        hub = Hub.ELDERLY_UNIVERSITY if university else Hub.ELDERLY_CENTRE
        lead = (
            node.kind in (Kind.JOINT_COMMITTEE, Kind.ELDERLY_UNIVERSITY)
            and node.obj.parent_id is None
        )
        joined = random_date(rng, 2021, 2025) if index in early else random_date(rng, 2026, 2026)
        joined = min(joined, datetime.date(2026, 10, 31))
        if node.obj.pk in already:
            continue
        rows.append(
            AllianceMembership(
                organization=node.obj,
                joined_on=joined,
                hub=hub,
                role=AllianceRole.LEAD if lead else AllianceRole.MEMBER,
            )
        )
    bulk_create_with_action(AllianceMembership, rows, "alliance.membership.seed")


def _targets() -> None:
    AnnualTarget.objects.get_or_create(
        year=2025,
        defaults={
            "organizations_target": ALLIANCE_BY_END_OF_2025,
            "coverage_rate_target": Decimal("60.0"),
            "participation_rate_target": Decimal("80.0"),
            "note": "联盟成立后第一个完整年度",
        },
    )
    AnnualTarget.objects.get_or_create(
        year=2026,
        defaults={
            "organizations_target": ALLIANCE_BY_END_OF_2025 * 2,
            "coverage_rate_target": Decimal("90.0"),
            "participation_rate_target": Decimal("85.0"),
            "note": "联盟组织数量比上年翻一番",
        },
    )


def seed_registry(*, context) -> None:
    """The alliance registry (135 organizations × scale) and the annual targets, right after the
    organization tree (branches.demo.seed leaves its nodes on the context)."""
    _alliance(context.rng, context.organization_nodes, context.scale)
    _targets()


def held_joint_activities() -> int:
    """How many held joint activities (a provider with a community party organization) this
    step makes: the activities step leaves room for them so the seed's 254 stays the total."""
    needs = sum(
        1 for index in range(len(PILOTS) * 2) if NEEDS[index % len(NEEDS)][-1] == "fulfilled"
    )
    return needs + sum(1 for resource in RESOURCES if resource[-1] == "fulfilled")


CASES = (
    (
        -40,
        "neighbours",
        "3号楼住户与4号楼住户",
        "楼上漏水引发的邻里矛盾，经调解双方达成维修协议。",
        "resolved",
    ),
    (-25, "family", "王姓老人与其子女", "赡养费用分担分歧，经多次调解达成书面协议。", "resolved"),
    (-12, "property", "小区业主代表与物业公司", "停车收费争议，已移交街道物业办协调。", "referred"),
    (-3, "neighbours", "一楼商户与楼上住户", "油烟扰民投诉，调解进行中。", "open"),
)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, 0), tzinfo=timezone.get_current_timezone()
    )


def seed(*, context) -> None:
    out = context.stdout
    today = timezone.localdate()
    rng = context.rng
    community_orgs = {
        org.community.name: org
        for org in Organization.objects.filter(
            kind=Kind.COMMUNITY_ORG, status=Status.ACTIVE, community__name__in=PILOTS
        )
        .select_related("community")
        .order_by("pk")
    }
    providers = list(
        Organization.objects.filter(kind="branch", status=Status.ACTIVE).order_by("path")[:40]
    )
    if not community_orgs or not providers:
        out.write("alliance community: skipped (no community party organizations or branches yet)")
        return
    skills = {skill.name: skill for skill in Skill.objects.all()}
    actor = system_actor()

    def held(claim, start):
        """Re-date the accepted claim's activity into the past and mark it held."""
        activity = claim.activity
        activity.start = start
        activity.end = start + datetime.timedelta(hours=2)
        activity.save(update_fields=["start", "end"])
        activity_mark_held(activity=activity, acting_user=actor)

    needs = resources = 0
    for index, name in enumerate(PILOTS):
        org = community_orgs.get(name)
        if org is None:
            continue
        for offset in range(2):
            title, category, ahead, people, wanted, fate = NEEDS[(index * 2 + offset) % len(NEEDS)]
            if Need.objects.filter(title=title, community=org.community).exists():
                continue
            need = need_post(
                acting_user=actor,
                organization=org,
                title=title,
                category=category,
                description=f"{name}{title}，欢迎联盟组织认领。",
                wanted_by=today + datetime.timedelta(days=ahead),
                people_wanted=people,
                skills=[skills[s] for s in wanted if s in skills],
            )
            needs += 1
            if fate == "open":
                continue
            provider = providers[rng.randrange(len(providers))]
            claim = need_claim(need=need, organization=provider, acting_user=actor, people=people)
            if fate == "claimed":
                claim_accept(claim=claim, acting_user=actor)
            else:
                start = _at(today - datetime.timedelta(days=rng.randint(5, 60)))
                claim = claim_accept(claim=claim, acting_user=actor, start=start)
                held(claim, start)

    for index, (title, category, capacity, wanted, fate) in enumerate(RESOURCES):
        provider = providers[(index * 7) % len(providers)]
        if Resource.objects.filter(title=title, organization=provider).exists():
            continue
        resource = resource_post(
            acting_user=actor,
            organization=provider,
            title=title,
            category=category,
            description=f"{provider.name}提供：{title}。",
            capacity=capacity,
            available_from=today - datetime.timedelta(days=90),
            available_until=today + datetime.timedelta(days=180),
            skills=[skills[s] for s in wanted if s in skills],
        )
        resources += 1
        if fate == "open":
            continue
        community_org = community_orgs[sorted(community_orgs)[index % len(community_orgs)]]
        try:
            claim = resource_claim(
                resource=resource, organization=community_org, acting_user=actor, people=10
            )
        except CoordinationError:
            continue
        start = _at(today - datetime.timedelta(days=20 + index))
        claim = claim_accept(
            claim=claim,
            acting_user=actor,
            start=start if fate == "fulfilled" else _at(today + datetime.timedelta(days=10)),
        )
        if fate == "fulfilled":
            held(claim, start)
    out.write(f"alliance community: {needs} needs and {resources} resources created")

    community_name, studio_name = STUDIO
    community = Community.objects.filter(name=community_name).first()
    host = community_orgs.get(community_name)
    if community is None or host is None:
        out.write(
            "alliance community: studio skipped (玫瑰园社区 or its party organization missing)"
        )
        return
    studio = MediationStudio.objects.filter(community=community, name=studio_name).first()
    if studio is None:
        studio = studio_create(
            acting_user=actor,
            community=community,
            name=studio_name,
            host_organization=host,
            address="玫瑰园社区党群服务中心一楼",
        )
    mediators = list(
        Member.objects.filter(status=MemberStatus.NORMAL, skills__name__in=MEDIATOR_SKILLS)
        .distinct()
        .order_by("pk")[:6]
    )
    if not mediators:
        out.write("alliance community: rota and cases skipped (no members with 调解/法律 yet)")
        return
    if not studio.shifts.exists():
        monday = today - datetime.timedelta(days=today.weekday())
        for week in range(-2, 4):
            for weekday in (0, 2, 4):  # Monday, Wednesday, Friday
                day = monday + datetime.timedelta(weeks=week, days=weekday)
                member = mediators[(week * 3 + weekday) % len(mediators)]
                rota_shift_add(studio=studio, member=member, date=day, acting_user=actor)
    if not studio.cases.exists():
        for index, (ago, kind, parties, summary, outcome) in enumerate(CASES):
            day = today + datetime.timedelta(days=ago)
            mediation_case_record(
                studio=studio,
                acting_user=actor,
                date=day,
                kind=kind,
                parties=parties,
                summary=summary,
                outcome=outcome,
                follow_up_on=day + datetime.timedelta(days=30) if outcome != "referred" else None,
                mediators=mediators[index % len(mediators) : index % len(mediators) + 2],
            )
    out.write(f"alliance community: studio {studio_name} with its rota and cases")
    seed_documents(context=context)


# The seed's documents (制度先行) with their real titles; the seed gives no 文号, so none is
# invented. (title, category, days ago, reply required, text)
DOCUMENTS = (
    (
        "关于依托银川市老年人党群活动服务中心、银川老年大学党群活动服务中心建立“党建联盟”的指导意见",
        "guidance",
        900,
        False,
        "明确组织联建、阵地联享、党员联培、活动联办的工作路径，推动离退休干部党建向城市社区党建延伸融合发展。",
    ),
    (
        "关于加强离退休干部职工党支部（党员）工作的通知",
        "notice",
        800,
        True,
        "明确市直各部门（单位）党（工）委（党组）抓离退休干部职工党支部工作领导责任。请各党支部阅后报送落实情况回执。",
    ),
    (
        "建制党支部考核细则",
        "assessment_rules",
        400,
        False,
        "通过经常性指导、暗访性督查、常态化考核的方式，督促离退休干部党建工作扎实有效开展。",
    ),
    (
        "“三缘型”党支部考核细则",
        "assessment_rules",
        400,
        False,
        "“三缘型”党支部年度考核的项目、分值与扣分规则。",
    ),
    (
        "银川市离退休干部党支部、“三缘型”党支部规范化建设指导意见",
        "guidance",
        30,
        True,
        "围绕支部换届选举、“三会一课”、民主评议党员等，细化流程、规范程序、加强实地指导。请各党支部报送学习贯彻情况回执。",
    ),
)


def seed_documents(*, context) -> None:
    """The seed's 指导意见, 通知 and 考核细则, published to all organizations; the demo
    secretary has read the older ones and replied to the first notice."""
    from_day = timezone.localdate()
    created = 0
    users = getattr(context, "users", {})
    secretary = users.get("secretary")
    for title, category, days_ago, reply_required, body in DOCUMENTS:
        if Document.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            document = document_publish(
                acting_user=system_actor(),
                title=title,
                issuer="中共银川市委老干部局",
                issued_on=from_day - datetime.timedelta(days=days_ago),
                category=category,
                body=body,
                reply_required=reply_required,
            )
        created += 1
        if secretary is not None and secretary.organization_id and days_ago > 100:
            document_mark_read(document=document, acting_user=secretary)
            if reply_required:
                document_reply(
                    document=document,
                    acting_user=secretary,
                    text="已组织支部党员学习，按要求落实。",
                )
    context.stdout.write(f"alliance documents: {created} documents published")
