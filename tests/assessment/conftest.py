"""Fixtures of the assessment tests: a small valid rubric and a round in scoring."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from assessment import services
from assessment.services import DeductionSpec, ItemSpec, SectionSpec


def small_sections() -> list[SectionSpec]:
    return [
        SectionSpec(
            title="组织建设",
            items=[
                ItemSpec(
                    code="1.1",
                    title="年度计划",
                    criterion="有年度工作计划",
                    max_points=Decimal("40"),
                    deductions=[
                        DeductionSpec("没有年度计划扣3分", Decimal("3")),
                        DeductionSpec("计划不具体扣2分", Decimal("2")),
                    ],
                ),
                ItemSpec(
                    code="1.2",
                    title="六有标准化",
                    max_points=Decimal("60"),
                    metric="six_haves",
                ),
            ],
        ),
        SectionSpec(
            title="加分与否决",
            items=[
                ItemSpec(code="B1", title="品牌创建", max_points=Decimal("5"), kind="bonus"),
                ItemSpec(code="V1", title="违反政治纪律", max_points=Decimal("0"), kind="veto"),
            ],
        ),
    ]


def make_rubric(year: int = 2026, category: str = "three_affinity", bonus_cap="3"):
    return services.rubric_create(
        year=year,
        category=category,
        title=f"{year} 考核细则",
        sections=small_sections(),
        bonus_cap=Decimal(bonus_cap),
    )


def score_all(assessment, user, *, normal=None, bonus=None, veto=False):
    """Give every item a score (full marks unless told) through the service."""
    entries = []
    for row in assessment.scores.select_related("item"):
        item = row.item
        if item.kind == "normal":
            value = normal.get(item.code, item.max_points) if normal else item.max_points
            entries.append(
                services.ScoreEntry(
                    item_id=item.pk,
                    score=value,
                    comment="" if Decimal(value) == item.max_points else "材料不全",
                )
            )
        elif item.kind == "bonus":
            entries.append(services.ScoreEntry(item_id=item.pk, score=bonus or 0))
        else:
            entries.append(
                services.ScoreEntry(item_id=item.pk, veto=veto, comment="违纪" if veto else "")
            )
    assessment.refresh_from_db()
    return services.scores_save(
        assessment=assessment, version=assessment.version, entries=entries, acting_user=user
    )


@pytest.fixture
def rubric(db):
    return make_rubric()


@pytest.fixture
def scoring_round(org_tree, staff_user, supervisor_user):
    """A 2026 round in scoring: branch A (three-affinity) and branch B (established),
    the supervisor assigned to branch A only."""
    three = make_rubric(2026, "three_affinity")
    established = make_rubric(2026, "established")
    round_ = services.round_create(
        year=2026, title="2026 年度考核", rubrics=[three, established], acting_user=staff_user
    )
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_a, org_tree.branch_b], acting_user=staff_user
    )
    services.round_assign(
        round=round_,
        organizations=[org_tree.branch_a],
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    from tests.factories import make_user

    other_supervisor = make_user("supervisor_b", role="supervisor")
    services.round_assign(
        round=round_,
        organizations=[org_tree.branch_b],
        supervisors=[other_supervisor],
        acting_user=staff_user,
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    round_.refresh_from_db()
    return SimpleNamespace(
        round=round_,
        a=round_.assessments.get(organization=org_tree.branch_a),
        b=round_.assessments.get(organization=org_tree.branch_b),
        other_supervisor=other_supervisor,
        rubric_a=three,
        rubric_b=established,
    )
