"""Migration 0004 (rubrics as published) carries every existing rubric, item, deduction line,
score, round and grade over: old-shape rows are written at 0003, the database is migrated
forward, and the values are read back through the new shape."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("assessment", "0003_history")
AFTER = ("assessment", "0004_rubrics_as_published")
D = Decimal


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """Leave the database fully migrated (later migrations, of this app and of apps depending
    on it, were unapplied on the way back to 0003), whatever the test's outcome."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_rows_migrate_without_loss(org_tree):
    staff = make_user("mig_staff", role="staff")
    apps = _migrate(BEFORE)
    Rubric = apps.get_model("assessment", "Rubric")
    Section = apps.get_model("assessment", "Section")
    Item = apps.get_model("assessment", "Item")
    DeductionRule = apps.get_model("assessment", "DeductionRule")
    Round = apps.get_model("assessment", "Round")
    Assessment = apps.get_model("assessment", "Assessment")
    ItemScore = apps.get_model("assessment", "ItemScore")
    GradeThresholds = apps.get_model("assessment", "GradeThresholds")

    GradeThresholds.objects.create(excellent=D("95"), good=D("85"), pass_mark=D("70"))
    rubric = Rubric.objects.create(
        year=2025, category="established", title="旧细则", max_total=D("100"), bonus_cap=D("3")
    )
    section = Section.objects.create(rubric=rubric, title="组织建设", position=1)
    plan = Item.objects.create(
        rubric=rubric, section=section, code="1.1", title="计划", max_points=D("40"), position=1
    )
    other = Item.objects.create(
        rubric=rubric, section=section, code="1.2", title="六有", max_points=D("60"), position=2
    )
    bonus = Item.objects.create(
        rubric=rubric, section=section, code="B1", title="品牌", max_points=D("5"), kind="bonus"
    )
    veto = Item.objects.create(
        rubric=rubric, section=section, code="V1", title="违纪", max_points=D("0"), kind="veto"
    )
    no_plan = DeductionRule.objects.create(item=plan, text="没有年度计划扣3分", points=D("3"))
    vague = DeductionRule.objects.create(item=plan, text="计划不具体扣2分", points=D("2"))
    round_ = Round.objects.create(year=2025, title="2025 考核", state="finalized")
    round_.rubrics.add(rubric)
    assessment = Assessment.objects.create(
        round=round_,
        organization_id=org_tree.branch_b.pk,
        rubric=rubric,
        total=D("93"),
        grade="good",
        rank=1,
        vetoed=False,
        version=4,
    )
    consistent = ItemScore.objects.create(
        assessment=assessment, item=plan, score=D("35"), comment="x"
    )
    consistent.deductions.add(no_plan, vague)  # 40 − 3 − 2 = 35: what the ticks give
    by_hand = ItemScore.objects.create(
        assessment=assessment, item=other, score=D("55"), comment="酌情"
    )
    typed_bonus = ItemScore.objects.create(assessment=assessment, item=bonus, score=D("3"))
    vetoed = ItemScore.objects.create(assessment=assessment, item=veto, veto_triggered=True)
    counts = {
        name: apps.get_model("assessment", name).objects.count()
        for name in (
            "Rubric",
            "Section",
            "Item",
            "DeductionRule",
            "Round",
            "Assessment",
            "ItemScore",
        )
    }

    apps = _migrate(AFTER)
    for name, count in counts.items():
        assert apps.get_model("assessment", name).objects.count() == count, name
    Rubric = apps.get_model("assessment", "Rubric")
    ItemScore = apps.get_model("assessment", "ItemScore")
    AppliedDeduction = apps.get_model("assessment", "AppliedDeduction")
    Assessment = apps.get_model("assessment", "Assessment")
    Item = apps.get_model("assessment", "Item")
    DeductionRule = apps.get_model("assessment", "DeductionRule")

    migrated = Rubric.objects.get(pk=rubric.pk)
    assert (migrated.bonus_cap, migrated.grade_basis, migrated.grade_total) == (
        D("3"),
        "points",
        "with_bonus",
    )
    bands = {b.grade: b.minimum for b in migrated.bands.all()}
    assert bands == {"excellent": D("95"), "good": D("85"), "pass": D("70")}
    assert Item.objects.get(pk=veto.pk).veto_consequence == "fail"
    assert {(r.text, r.kind, r.points) for r in DeductionRule.objects.filter(item_id=plan.pk)} == {
        ("没有年度计划扣3分", "fixed", D("3")),
        ("计划不具体扣2分", "fixed", D("2")),
    }
    applied = AppliedDeduction.objects.filter(score_id=consistent.pk)
    assert {(a.rule_id, a.count) for a in applied} == {(no_plan.pk, 1), (vague.pk, 1)}
    rows = {s.pk: s for s in ItemScore.objects.all()}
    assert (rows[consistent.pk].score, rows[consistent.pk].overridden) == (D("35"), False)
    assert (rows[by_hand.pk].score, rows[by_hand.pk].overridden) == (D("55"), True)
    assert rows[by_hand.pk].comment == "酌情"
    assert (rows[typed_bonus.pk].score, rows[typed_bonus.pk].overridden) == (D("3"), False)
    assert rows[vetoed.pk].veto_triggered is True
    kept = Assessment.objects.get(pk=assessment.pk)
    assert (kept.total, kept.grade, kept.rank, kept.vetoed, kept.version) == (
        D("93"),
        "good",
        1,
        False,
        4,
    )
    assert staff.pk  # the users and organizations made before are untouched
