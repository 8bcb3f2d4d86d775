"""Demo data of the assessment app (`seed_demo`): two 100-point rubrics modelled on published
考核细则 of retired cadres' party branches (workbooks under `assessment/data/`, imported like a
user's upload), a finalized 2025 round for 45 city-department
retiree branches, an open 2026 round in scoring, and inspections with rectifications.

Deterministic (context.rng), idempotent (skips what exists), and fast (bulk writes for the
scores; transitions and finalizing go through the services).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from assessment import services
from assessment.grading import item_computed
from assessment.models import (
    AppliedDeduction,
    Assessment,
    DeductionKind,
    Inspection,
    ItemKind,
    ItemScore,
    Round,
    Rubric,
)
from assessment.services import SectionSpec
from branches.models import Organization
from core.history import bulk_update_with_action

D = Decimal
BRANCHES_ASSESSED = 45


RUBRIC_YEAR = 2025
DATA = Path(__file__).resolve().parent / "data"


def rubric_file(category: str, year: int = RUBRIC_YEAR) -> Path:
    """The demo rubric of `category`, a workbook in the layout of the rubric download."""
    return DATA / f"rubric-{year}-{category}.xlsx"


def rubric_sections(category: str) -> list[SectionSpec]:
    """The demo rubric's sections, read the way an uploaded workbook is read."""
    with rubric_file(category).open("rb") as file:
        return services.rubric_parse_xlsx(file)[1]


def established_sections() -> list[SectionSpec]:
    return rubric_sections("established")


def three_affinity_sections() -> list[SectionSpec]:
    return rubric_sections("three_affinity")


def _rubrics(year: int, *, staff) -> dict[str, Rubric]:
    """The year's rubric of each organization type: the demo workbooks are uploaded for
    RUBRIC_YEAR (through the same import as a user's upload); other years copy those."""
    existing = {r.category: r for r in Rubric.objects.filter(year=year)}
    for category in ("established", "three_affinity"):
        if category in existing:
            continue
        if year == RUBRIC_YEAR:
            with rubric_file(category).open("rb") as file:
                existing[category] = services.rubric_import(
                    file=file, year=year, category=category, acting_user=staff
                )
        else:
            _rubrics(RUBRIC_YEAR, staff=staff)
            (existing[category],) = services.rubric_copy(
                from_year=RUBRIC_YEAR, to_year=year, category=category, acting_user=staff
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
        ticked = [
            (d, rng.choice([1, 1, 2]) if d.is_per_occurrence else 1)
            for d in item.deductions.all()
            if d.kind != DeductionKind.ZERO and rng.random() < quality[org_id] * 0.6
        ]
        computed = item_computed(item, ticked)
        extra = D(str(rng.choice([0, 0, 0, 0.5, 1]))) if rng.random() < quality[org_id] else D("0")
        points = max(D("0"), computed - extra)
        row.self_score = min(item.max_points, points + D(str(rng.choice([0, 0.5, 1, 2]))))
        row.self_note = "材料已上传，见活动记录。"
        if scored:
            row.score = points
            row.overridden = points != computed
            if points < item.max_points:
                row.comment = "；".join(d.text for d, _n in ticked) or "材料不够完整，酌情扣分。"
                ticks += [AppliedDeduction(score=row, rule=d, count=n) for d, n in ticked]
        row.updated_by = supervisor if scored else None
    bulk_update_with_action(
        ItemScore,
        rows,
        [
            "self_score",
            "self_note",
            "score",
            "overridden",
            "comment",
            "veto_triggered",
            "updated_by",
        ],
        "assessment.itemscore.demo_seed",
    )
    AppliedDeduction.objects.bulk_create(ticks, ignore_conflicts=True)
    assessments = list(Assessment.objects.filter(round=round_))
    for assessment in assessments:
        assessment.version += 1
    bulk_update_with_action(Assessment, assessments, ["version"], "assessment.assessment.demo_seed")


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
    rubrics_2025 = _rubrics(2025, staff=staff)
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
        services.rubric_copy(from_year=2025, to_year=2026, acting_user=staff)
    rubrics_2026 = _rubrics(2026, staff=staff)
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
