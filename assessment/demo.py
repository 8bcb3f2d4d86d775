"""Demo data of the assessment app (`seed_demo`): two 100-point rubrics modelled on published
考核细则 of retired cadres' party branches, a finalized 2025 round for 45 city-department
retiree branches, an open 2026 round in scoring, and inspections with rectifications.

Deterministic (context.rng), idempotent (skips what exists), and fast (bulk writes for the
scores; transitions and finalizing go through the services).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from assessment import services
from assessment.models import (
    Assessment,
    Inspection,
    ItemKind,
    ItemScore,
    Round,
    Rubric,
)
from assessment.services import DeductionSpec, ItemSpec, SectionSpec
from branches.models import Organization

D = Decimal
BRANCHES_ASSESSED = 45


def _item(code, title, points, criterion, deductions=(), metric=None, **params):
    return ItemSpec(
        code=code,
        title=title,
        max_points=D(str(points)),
        criterion=criterion,
        metric=metric,
        metric_params=params,
        deductions=[DeductionSpec(text, D(str(p))) for text, p in deductions],
    )


def _bonus_and_veto(prefix_note: str) -> list[SectionSpec]:
    return [
        SectionSpec(
            "加分项",
            [
                ItemSpec(
                    code="B1",
                    title="品牌创建",
                    max_points=D("3"),
                    kind=ItemKind.BONUS,
                    criterion=f"{prefix_note}被评为示范点或“三银”品牌的加3分。",
                ),
                ItemSpec(
                    code="B2",
                    title="表彰奖励",
                    max_points=D("2"),
                    kind=ItemKind.BONUS,
                    criterion="党组织或党员获市级以上表彰的，每项加1分，最多2分。",
                ),
                ItemSpec(
                    code="B3",
                    title="活动联办成效",
                    max_points=D("2"),
                    kind=ItemKind.BONUS,
                    criterion="与社区党组织联办活动超过4次的，每次加0.5分。",
                    metric="joint_activities",
                    metric_params={"points_each": 0.5},
                ),
            ],
        ),
        SectionSpec(
            "一票否决",
            [
                ItemSpec(
                    code="V1",
                    title="违纪违法",
                    max_points=D("0"),
                    kind=ItemKind.VETO,
                    criterion="党组织班子成员发生严重违纪违法问题的，实行一票否决。",
                ),
                ItemSpec(
                    code="V2",
                    title="重大负面影响",
                    max_points=D("0"),
                    kind=ItemKind.VETO,
                    criterion="组织或参与非法集会、造成重大负面舆情的，实行一票否决。",
                ),
            ],
        ),
    ]


def established_sections() -> list[SectionSpec]:
    """建制 branches of city departments: 100 points, bonus up to 5, two veto items."""
    return [
        SectionSpec(
            "组织建设",
            [
                _item(
                    "1.1",
                    "班子建设",
                    8,
                    "支委会按期换届，书记、委员分工明确。",
                    [("超期未换届扣4分", 4), ("委员分工不明确扣2分", 2)],
                    metric="overdue_term",
                ),
                _item(
                    "1.2",
                    "党员管理",
                    7,
                    "党员信息完整准确，组织党员到居住地社区报到。",
                    [("党员信息不完整扣2分", 2), ("未组织党员到社区报到扣3分", 3)],
                    metric="community_registration",
                    full_at=0.9,
                ),
                _item(
                    "1.3",
                    "“六有”标准化建设",
                    10,
                    "年度有主题、工作有计划、活动有阵地、干事有队伍、经费有保障、品牌有特色。",
                    [
                        ("年度无主题扣1.5分", 1.5),
                        ("没有年度计划扣1.5分", 1.5),
                        ("无活动阵地扣1.5分", 1.5),
                        ("无骨干队伍扣1.5分", 1.5),
                        ("无经费保障扣1.5分", 1.5),
                        ("无特色品牌扣1.5分", 1.5),
                    ],
                    metric="six_haves",
                ),
            ],
        ),
        SectionSpec(
            "组织生活",
            [
                _item(
                    "2.1",
                    "“三会一课”",
                    15,
                    "支委会每月、党员大会每季度、党课每季度至少一次，记录完整。",
                    [
                        ("支委会少开一次扣1分", 1),
                        ("党员大会少开一次扣2分", 2),
                        ("党课少开一次扣2分", 2),
                        ("会议记录不全扣2分", 2),
                    ],
                    metric="meetings",
                    types=["committee_meeting", "general_meeting", "party_lecture"],
                ),
                _item(
                    "2.2",
                    "主题党日",
                    8,
                    "每月开展主题党日活动，内容充实。",
                    [("少开一次扣1分", 1), ("活动流于形式扣2分", 2)],
                    metric="meetings",
                    types=["theme_day"],
                ),
                _item(
                    "2.3",
                    "组织生活会和民主评议党员",
                    7,
                    "每年召开组织生活会，开展民主评议党员。",
                    [("未召开组织生活会扣4分", 4), ("未开展民主评议党员扣3分", 3)],
                    metric="meetings",
                    types=["life_meeting", "democratic_review"],
                ),
            ],
        ),
        SectionSpec(
            "阵地建设",
            [
                _item(
                    "3.1",
                    "阵地联享",
                    8,
                    "有固定活动场所，参与阵地联享、共用阵地开展活动。",
                    [("无固定活动场所扣3分", 3), ("未参与阵地联享扣2分", 2)],
                    metric="shared_venue_uses",
                    full_at=4,
                ),
                _item(
                    "3.2",
                    "党员活动参与率",
                    7,
                    "党员参加组织生活和活动的比例达到90%以上。",
                    [("参与率低于60%扣3分", 3), ("行动不便党员未送学上门扣2分", 2)],
                    metric="participation",
                    full_at=0.9,
                ),
            ],
        ),
        SectionSpec(
            "作用发挥",
            [
                _item(
                    "4.1",
                    "活动联办",
                    10,
                    "与社区党组织、志愿服务队等联办活动，“双清单、双认领”落实。",
                    [("未与社区联办活动扣4分", 4), ("认领项目未落实扣2分", 2)],
                    metric="joint_activities",
                    full_at=4,
                ),
                _item(
                    "4.2",
                    "志愿服务与宣讲",
                    10,
                    "组织党员参加“银耀银川”志愿服务和“桑榆红”宣讲，发挥余热。",
                    [("未开展志愿服务扣3分", 3), ("未参与宣讲活动扣2分", 2)],
                ),
            ],
        ),
        SectionSpec(
            "制度建设",
            [
                _item(
                    "5.1",
                    "制度台账",
                    5,
                    "有年度工作计划和总结，台账资料齐全。",
                    [("没有年度计划扣3分", 3), ("台账资料不全扣2分", 2)],
                ),
                _item(
                    "5.2",
                    "督查整改",
                    5,
                    "对督查发现的问题按期整改到位。",
                    [("整改逾期未完成扣2分", 2), ("同类问题重复出现扣1分", 1)],
                    metric="open_rectifications",
                    per_open=0.5,
                    per_overdue=2,
                ),
            ],
        ),
        *_bonus_and_veto("建制党支部"),
    ]


def three_affinity_sections() -> list[SectionSpec]:
    """三缘型 branches: the same five sections, weighted towards service and interest groups."""
    return [
        SectionSpec(
            "组织建设",
            [
                _item(
                    "1.1",
                    "班子建设",
                    6,
                    "支委会按期换届，功能党小组设置合理。",
                    [("超期未换届扣3分", 3), ("功能党小组无组长扣1分", 1)],
                    metric="overdue_term",
                ),
                _item(
                    "1.2",
                    "党员管理",
                    6,
                    "参加活动的党员登记完整，组织关系与参与情况清楚。",
                    [("党员登记不完整扣2分", 2), ("参与情况不清扣2分", 2)],
                ),
                _item(
                    "1.3",
                    "“六有”标准化建设",
                    8,
                    "“六有”标准全部达到。",
                    [("每缺一项扣1分", 6)],
                    metric="six_haves",
                ),
            ],
        ),
        SectionSpec(
            "组织生活",
            [
                _item(
                    "2.1",
                    "“三会一课”",
                    12,
                    "按规定召开支委会、党员大会，讲授党课。",
                    [
                        ("支委会少开一次扣1分", 1),
                        ("党员大会少开一次扣2分", 2),
                        ("党课少开一次扣2分", 2),
                    ],
                    metric="meetings",
                    types=["committee_meeting", "general_meeting", "party_lecture"],
                ),
                _item(
                    "2.2",
                    "主题党日",
                    10,
                    "结合兴趣特长每月开展主题党日。",
                    [("少开一次扣1分", 1), ("活动无记录扣2分", 2)],
                    metric="meetings",
                    types=["theme_day"],
                ),
                _item(
                    "2.3",
                    "组织生活会和民主评议党员",
                    8,
                    "每年召开组织生活会，开展民主评议党员。",
                    [("未召开组织生活会扣4分", 4), ("未开展民主评议党员扣3分", 3)],
                    metric="meetings",
                    types=["life_meeting", "democratic_review"],
                ),
            ],
        ),
        SectionSpec(
            "阵地建设",
            [
                _item(
                    "3.1",
                    "阵地联享",
                    8,
                    "依托社区、老年大学等阵地开展活动。",
                    [("无固定活动场所扣3分", 3)],
                    metric="shared_venue_uses",
                    full_at=6,
                ),
                _item(
                    "3.2",
                    "党员活动参与率",
                    7,
                    "党员参加活动的比例达到85%以上。",
                    [("参与率低于60%扣3分", 3)],
                    metric="participation",
                    full_at=0.85,
                ),
            ],
        ),
        SectionSpec(
            "作用发挥",
            [
                _item(
                    "4.1",
                    "活动联办",
                    10,
                    "与社区及其他组织联办活动。",
                    [("未联办活动扣4分", 4)],
                    metric="joint_activities",
                    full_at=6,
                ),
                _item(
                    "4.2",
                    "服务社区",
                    8,
                    "党员到社区报到，参与社区治理和邻里调解。",
                    [("报到率低于80%扣2分", 2), ("未参与社区服务扣3分", 3)],
                    metric="community_registration",
                    full_at=0.8,
                ),
                _item(
                    "4.3",
                    "兴趣特色活动",
                    7,
                    "书画、合唱等兴趣活动融入党建内容，形成特色。",
                    [("活动未融入党建内容扣2分", 2)],
                ),
            ],
        ),
        SectionSpec(
            "制度建设",
            [
                _item(
                    "5.1",
                    "制度台账",
                    5,
                    "有年度工作计划和总结，台账资料齐全。",
                    [("没有年度计划扣3分", 3), ("台账资料不全扣2分", 2)],
                ),
                _item(
                    "5.2",
                    "督查整改",
                    5,
                    "对督查发现的问题按期整改到位。",
                    [("整改逾期未完成扣2分", 2)],
                    metric="open_rectifications",
                    per_open=0.5,
                    per_overdue=2,
                ),
            ],
        ),
        *_bonus_and_veto("三缘型党支部"),
    ]


def _rubrics(year: int) -> dict[str, Rubric]:
    existing = {r.category: r for r in Rubric.objects.filter(year=year)}
    makers = {
        "established": (f"{year} 年度建制离退休干部党支部考核细则", established_sections),
        "three_affinity": (f"{year} 年度三缘型离退休干部党支部考核细则", three_affinity_sections),
    }
    for category, (title, sections) in makers.items():
        if category not in existing:
            existing[category] = services.rubric_create(
                year=year,
                category=category,
                title=title,
                sections=sections(),
                bonus_cap=D("5"),
            )
    return existing


def _fill_scores(round_: Round, rng, *, supervisor, share_scored: float, final: bool) -> None:
    """Deterministic self scores and assessed scores, written in bulk."""
    rows = list(
        ItemScore.objects.filter(assessment__round=round_)
        .select_related("item", "assessment__organization")
        .prefetch_related("item__deductions")
        .order_by("assessment__organization__path", "item__section__position", "item__position")
    )
    vetoed_org = None
    if final:
        organizations = sorted({r.assessment.organization_id for r in rows})
        vetoed_org = organizations[rng.randrange(len(organizations))] if organizations else None
    quality: dict[int, float] = {}
    through = ItemScore.deductions.through
    ticks = []
    for row in rows:
        org_id = row.assessment.organization_id
        if org_id not in quality:
            quality[org_id] = rng.uniform(0.03, 0.45)
        item = row.item
        scored = final or rng.random() < share_scored
        if item.kind == ItemKind.VETO:
            if final and org_id == vetoed_org and item.code == "V1":
                row.veto_triggered = True
                row.comment = "支部委员受到党纪处分，按细则一票否决。"
            continue
        if item.kind == ItemKind.BONUS:
            points = D(str(rng.choice([0, 0, 0, 0.5, 1, 2]))).min(item.max_points)
            row.self_score = points
            if scored:
                row.score = points
            continue
        ticked = [d for d in item.deductions.all() if rng.random() < quality[org_id] * 0.6]
        deducted = sum((d.points for d in ticked), D("0"))
        extra = D(str(rng.choice([0, 0, 0, 0.5, 1]))) if rng.random() < quality[org_id] else D("0")
        points = max(D("0"), item.max_points - deducted - extra)
        row.self_score = min(item.max_points, points + D(str(rng.choice([0, 0.5, 1, 2]))))
        row.self_note = "材料已上传，见活动记录。"
        if scored:
            row.score = points
            if points < item.max_points:
                row.comment = "；".join(d.text for d in ticked) or "材料不够完整，酌情扣分。"
                ticks += [through(itemscore_id=row.pk, deductionrule_id=d.pk) for d in ticked]
        row.updated_by = supervisor if scored else None
    ItemScore.objects.bulk_update(
        rows, ["self_score", "self_note", "score", "comment", "veto_triggered", "updated_by"]
    )
    through.objects.bulk_create(ticks, ignore_conflicts=True)
    Assessment.objects.filter(round=round_).update(version=F("version") + 1)


def _round(
    *, year, title, rubrics, organizations, staff, supervisor, rng, final, due
) -> Round | None:
    if Round.objects.filter(year=year, title=title).exists():
        return None
    round_ = services.round_create(
        year=year,
        title=title,
        rubrics=list(rubrics.values()),
        self_assessment_due=due[0],
        scoring_due=due[1],
        acting_user=staff,
    )
    services.round_set_scope(round=round_, organizations=organizations, acting_user=staff)
    services.round_assign(
        round=round_, organizations=organizations, supervisors=[supervisor], acting_user=staff
    )
    services.round_open_self_assessment(round=round_, acting_user=staff)
    services.round_open_scoring(round=round_, acting_user=staff)
    _fill_scores(round_, rng, supervisor=supervisor, share_scored=0.3, final=final)
    if final:
        services.round_finalize(round=round_, acting_user=staff)
    return round_


INSPECTION_FINDINGS = (
    ("guidance", "会议记录不够规范，党课记录缺少讲课提纲。", "规范“三会一课”记录，补齐党课提纲"),
    ("unannounced", "主题党日当天活动室未开放，党员到会不足一半。", "落实主题党日制度，提高参与率"),
    ("routine", "“六有”台账不全，经费使用无明细。", "建立经费使用明细台账"),
    ("guidance", "支委会超期未换届，未报请延期。", "按程序启动换届或报批延期"),
    ("unannounced", "阵地标识不清，制度未上墙。", "完善阵地标识，制度上墙"),
    ("routine", "党员到社区报到率偏低。", "组织党员到居住地社区报到"),
)


def _inspections(organizations, *, staff, supervisor, rng, today: datetime.date) -> int:
    if Inspection.objects.exists():
        return 0
    count = 0
    for index, organization in enumerate(organizations[:12]):
        kind, findings, required = INSPECTION_FINDINGS[index % len(INSPECTION_FINDINGS)]
        date = today - datetime.timedelta(days=30 + 25 * index)
        inspection = services.inspection_record(
            kind=kind,
            date=date,
            organization=organization,
            inspectors=[supervisor] if index % 2 else [supervisor, staff],
            findings=findings,
            acting_user=supervisor,
        )
        deadline = date + datetime.timedelta(days=rng.choice([20, 30, 45, 60]))
        rectification = services.rectification_add(
            inspection=inspection, required=required, deadline=deadline, acting_user=supervisor
        )
        # Every third one was done in time; the rest stay open (overdue once the deadline passed).
        if index % 3 == 0 and deadline <= today:
            services.rectification_mark_done(
                rectification=rectification,
                done_on=deadline - datetime.timedelta(days=3),
                acting_user=supervisor,
            )
        count += 1
    return count


def seed(*, context) -> None:

    out = context.stdout
    staff = context.users.get("bureau")
    supervisor = context.users.get("supervisor")
    if staff is None or supervisor is None:
        out.write("assessment: skipped (no demo bureau or supervisor account)")
        return
    branches = list(
        Organization.objects.filter(
            kind="branch", category="established", status="active"
        ).order_by("path", "pk")[:BRANCHES_ASSESSED]
    )
    if not branches:
        out.write("assessment: skipped (no established branches; seed the organizations first)")
        return
    rng = context.rng
    today = timezone.localdate()
    rubrics_2025 = _rubrics(2025)
    finalized = _round(
        year=2025,
        title="2025 年度市直部门离退休干部党支部考核",
        rubrics=rubrics_2025,
        organizations=branches,
        staff=staff,
        supervisor=supervisor,
        rng=rng,
        final=True,
        due=(datetime.date(2025, 12, 10), datetime.date(2025, 12, 31)),
    )
    if not Rubric.objects.filter(year=2026).exists():
        services.rubric_copy(from_year=2025, to_year=2026)
    rubrics_2026 = _rubrics(2026)
    scope_2026 = branches[:12]
    secretary = context.users.get("secretary")
    own = getattr(secretary, "organization", None) if secretary else None
    if own is not None and own.kind == "branch" and own.category and own not in scope_2026:
        scope_2026 = [*scope_2026, own]
    current = _round(
        year=2026,
        title="2026 年度离退休干部党支部考核",
        rubrics=rubrics_2026,
        organizations=scope_2026,
        staff=staff,
        supervisor=supervisor,
        rng=rng,
        final=False,
        due=(datetime.date(2026, 12, 10), datetime.date(2026, 12, 31)),
    )
    inspections = _inspections(branches, staff=staff, supervisor=supervisor, rng=rng, today=today)
    out.write(
        "assessment: rubrics 2025/2026, "
        f"{'finalized 2025 round of ' + str(len(branches)) if finalized else '2025 round exists'}, "
        f"{'2026 round in scoring for ' + str(len(scope_2026)) if current else '2026 round exists'}, "
        f"{inspections} inspections"
    )
