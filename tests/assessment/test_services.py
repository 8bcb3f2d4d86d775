"""Rubrics, rounds, scoring, finalizing and reopening, through the services."""

from decimal import Decimal

import pytest

from assessment import services
from assessment.models import (
    Grade,
    GradeThresholds,
    ItemScore,
    RoundEvent,
    RoundState,
    Rubric,
)
from assessment.services import AssessmentError, DeductionSpec, ItemSpec, SectionSpec
from tests.assessment.conftest import make_rubric, score_all

pytestmark = pytest.mark.django_db


# --- Rubric validation -------------------------------------------------------------------


def test_a_valid_rubric_has_no_problems(rubric):
    assert services.rubric_problems(rubric) == []
    assert rubric.items.count() == 4


def test_items_not_adding_up_to_the_declared_total_are_refused_and_nothing_saved():
    sections = [
        SectionSpec("组织建设", [ItemSpec(code="1", title="计划", max_points=Decimal("90"))])
    ]
    with pytest.raises(AssessmentError, match="90.*100"):
        services.rubric_create(year=2026, category="established", title="t", sections=sections)
    assert not Rubric.objects.exists()


def test_deductions_exceeding_the_item_maximum_are_accepted():
    """Real rubrics list alternative and escalating lines (issue #14): the item scores its
    points minus the deductions applied, never below 0, whatever the lines add up to."""
    sections = [
        SectionSpec(
            "组织建设",
            [
                ItemSpec(
                    code="1",
                    title="计划",
                    max_points=Decimal("100"),
                    deductions=[
                        DeductionSpec("a", Decimal("60")),
                        DeductionSpec("b", Decimal("41")),
                    ],
                )
            ],
        )
    ]
    rubric = services.rubric_create(year=2026, category="established", title="t", sections=sections)
    assert services.rubric_problems(rubric) == []


def test_a_veto_item_with_points_and_bonus_without_cap_are_refused():
    sections = [
        SectionSpec(
            "s",
            [
                ItemSpec(code="1", title="a", max_points=Decimal("100")),
                ItemSpec(code="B", title="b", max_points=Decimal("5"), kind="bonus"),
            ],
        )
    ]
    with pytest.raises(AssessmentError, match="bonus cap|加分上限"):
        services.rubric_create(year=2026, category="established", title="t", sections=sections)
    sections[0].items[1] = ItemSpec(code="V", title="v", max_points=Decimal("5"), kind="veto")
    with pytest.raises(AssessmentError):
        services.rubric_create(year=2026, category="established", title="t", sections=sections)
    assert not Rubric.objects.exists()


def test_unknown_metric_is_refused():
    sections = [
        SectionSpec("s", [ItemSpec(code="1", title="a", max_points=Decimal("100"), metric="nope")])
    ]
    with pytest.raises(AssessmentError, match="nope"):
        services.rubric_create(year=2026, category="established", title="t", sections=sections)


def test_one_rubric_per_year_and_type():
    make_rubric(2026, "established")
    with pytest.raises(AssessmentError):
        make_rubric(2026, "established")


def test_rubric_copy_to_the_next_year_keeps_items_and_deductions(staff_user, supervisor_user):
    source = make_rubric(2025, "established")
    with pytest.raises(AssessmentError):  # the service asks the same rule as the page
        services.rubric_copy(from_year=2025, to_year=2026, acting_user=supervisor_user)
    (copy,) = services.rubric_copy(from_year=2025, to_year=2026, acting_user=staff_user)
    assert copy.year == 2026 and copy.category == "established"
    assert copy.title == "2026 考核细则"
    assert [i.code for i in copy.items.all()] == [i.code for i in source.items.all()]
    item = copy.items.get(code="1.1")
    assert [d.text for d in item.deductions.all()] == ["没有年度计划扣3分", "计划不具体扣2分"]
    assert copy.items.get(code="1.2").metric == "six_haves"
    with pytest.raises(AssessmentError):
        services.rubric_copy(from_year=2025, to_year=2026, acting_user=staff_user)
    with pytest.raises(AssessmentError):
        services.rubric_copy(from_year=2019, to_year=2020, acting_user=staff_user)


# --- Grades ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80", Grade.GOOD),
        ("79.99", Grade.PASS),
        ("60", Grade.PASS),
        ("59.5", Grade.FAIL),
        ("0", Grade.FAIL),
    ],
)
def test_default_grade_thresholds_at_their_edges(total, grade):
    assert GradeThresholds.current().grade_for(Decimal(total)) == grade


def test_veto_fails_whatever_the_total():
    assert GradeThresholds.current().grade_for(Decimal("100"), vetoed=True) == Grade.FAIL


def test_thresholds_are_configurable(staff_user):
    services.grade_thresholds_set(
        excellent=Decimal("95"), good=Decimal("85"), pass_mark=Decimal("70"), acting_user=staff_user
    )
    assert GradeThresholds.current().grade_for(Decimal("90")) == Grade.GOOD
    with pytest.raises(AssessmentError):
        services.grade_thresholds_set(
            excellent=Decimal("80"),
            good=Decimal("85"),
            pass_mark=Decimal("70"),
            acting_user=staff_user,
        )


# --- Scoring -----------------------------------------------------------------------------


def _entry(assessment, code, **kwargs):
    item = assessment.rubric.items.get(code=code)
    return services.ScoreEntry(item_id=item.pk, **kwargs)


def test_score_above_maximum_or_negative_is_refused_nothing_saved(scoring_round, supervisor_user):
    a = scoring_round.a
    for bad in ("40.5", "-1", "abc"):
        with pytest.raises(AssessmentError, match="1.1"):
            services.scores_save(
                assessment=a,
                version=a.version,
                entries=[_entry(a, "1.2", score="60"), _entry(a, "1.1", score=bad, comment="x")],
                acting_user=supervisor_user,
            )
    assert not ItemScore.objects.filter(assessment=a, score__isnull=False).exists()
    a.refresh_from_db()
    assert a.version == 1


def test_a_deduction_without_comment_is_refused(scoring_round, supervisor_user):
    a = scoring_round.a
    item = a.rubric.items.get(code="1.1")
    rule = item.deductions.first()
    with pytest.raises(AssessmentError, match="comment|说明"):
        services.scores_save(
            assessment=a,
            version=1,
            entries=[_entry(a, "1.1", score="37")],
            acting_user=supervisor_user,
        )
    with pytest.raises(AssessmentError):
        services.scores_save(
            assessment=a,
            version=1,
            entries=[_entry(a, "1.1", score="40", deduction_ids=[rule.pk])],
            acting_user=supervisor_user,
        )
    services.scores_save(
        assessment=a,
        version=1,
        entries=[_entry(a, "1.1", score="37", comment="无年度计划", deduction_ids=[rule.pk])],
        acting_user=supervisor_user,
    )
    row = a.scores.get(item=item)
    assert row.score == Decimal("37") and list(row.deductions.all()) == [rule]


def test_a_deduction_of_another_item_is_refused(scoring_round, supervisor_user):
    a = scoring_round.a
    other_rule = scoring_round.rubric_b.items.get(code="1.1").deductions.first()
    with pytest.raises(AssessmentError):
        services.scores_save(
            assessment=a,
            version=1,
            entries=[_entry(a, "1.1", score="37", comment="x", deduction_ids=[other_rule.pk])],
            acting_user=supervisor_user,
        )


def test_concurrent_edit_second_save_is_refused_listing_what_changed(
    scoring_round, supervisor_user, make_user, staff_user
):
    a = scoring_round.a
    second = make_user("supervisor_c", role="supervisor", full_name="周督查")
    services.round_assign(
        round=scoring_round.round,
        organizations=[a.organization],
        supervisors=[second],
        acting_user=staff_user,
    )
    loaded_first = a.version
    loaded_second = a.version  # both open the page
    services.scores_save(
        assessment=a,
        version=loaded_first,
        entries=[_entry(a, "1.1", score="35", comment="计划不具体")],
        acting_user=second,
    )
    with pytest.raises(services.StaleAssessmentError) as info:
        services.scores_save(
            assessment=a,
            version=loaded_second,
            entries=[_entry(a, "1.1", score="40"), _entry(a, "1.2", score="50", comment="x")],
            acting_user=supervisor_user,
        )
    message = str(info.value)
    assert "1.1 年度计划" in message and "35" in message and "周督查" in message
    assert "1.2" not in message
    assert len(info.value.changes) == 1
    row = a.scores.get(item__code="1.1")
    assert row.score == Decimal("35")  # never silently overwritten
    assert a.scores.get(item__code="1.2").score is None
    a.refresh_from_db()
    assert a.version == 2
    # after reloading, the same user can save
    services.scores_save(
        assessment=a,
        version=a.version,
        entries=[_entry(a, "1.2", score="50", comment="x")],
        acting_user=supervisor_user,
    )


def test_an_unassigned_supervisor_and_a_secretary_cannot_score(
    scoring_round, supervisor_user, secretary_user, viewer_user
):
    b = scoring_round.b
    for user in (supervisor_user, secretary_user, viewer_user):
        with pytest.raises(AssessmentError):
            services.scores_save(
                assessment=b, version=1, entries=[_entry(b, "1.2", score="60")], acting_user=user
            )
    assert not b.scores.filter(score__isnull=False).exists()


def test_self_assessment_only_by_own_secretary_and_only_in_self_assessment(
    org_tree, staff_user, supervisor_user, secretary_user, other_secretary
):
    rubric = make_rubric(2026, "three_affinity")
    round_ = services.round_create(year=2026, title="r", rubrics=[rubric], acting_user=staff_user)
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_a], acting_user=staff_user
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    a = round_.assessments.get()
    item = rubric.items.get(code="1.1")
    with pytest.raises(AssessmentError):
        services.self_assessment_save(
            assessment=a,
            version=1,
            entries=[services.SelfEntry(item.pk, "40")],
            acting_user=other_secretary,
        )
    services.self_assessment_save(
        assessment=a,
        version=1,
        entries=[services.SelfEntry(item.pk, "38", "计划已制定")],
        acting_user=secretary_user,
    )
    row = a.scores.get(item=item)
    assert (row.self_score, row.self_note) == (Decimal("38"), "计划已制定")
    with pytest.raises(AssessmentError):  # the supervisor scores only in scoring
        services.scores_save(
            assessment=a,
            version=2,
            entries=[services.ScoreEntry(item.pk, "40")],
            acting_user=staff_user,
        )
    with pytest.raises(AssessmentError):  # no supervisor yet
        services.round_open_scoring(round=round_, acting_user=staff_user)
    services.round_assign(
        round=round_,
        organizations=[org_tree.branch_a],
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    services.round_open_scoring(round=round_, acting_user=staff_user)
    with pytest.raises(AssessmentError):
        services.self_assessment_save(
            assessment=a,
            version=2,
            entries=[services.SelfEntry(item.pk, "40")],
            acting_user=secretary_user,
        )


# --- Finalize, ranks, lock, reopen -------------------------------------------------------


def test_finalize_refused_while_items_are_unscored(scoring_round, staff_user):
    with pytest.raises(AssessmentError, match="阅海万家|教育局"):
        services.round_finalize(round=scoring_round.round, acting_user=staff_user)
    scoring_round.round.refresh_from_db()
    assert scoring_round.round.state == RoundState.SCORING


def test_finalize_totals_bonus_cap_grades_and_veto(scoring_round, supervisor_user, staff_user):
    score_all(scoring_round.a, supervisor_user, normal={"1.1": "30"}, bonus="5")
    score_all(scoring_round.b, scoring_round.other_supervisor, veto=True)
    services.round_finalize(round=scoring_round.round, acting_user=staff_user)
    a, b = scoring_round.a, scoring_round.b
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.total == Decimal("93")  # 30 + 60 + bonus 5 capped at 3
    assert a.grade == Grade.EXCELLENT and a.rank == 1
    assert b.total == Decimal("100") and b.vetoed and b.grade == Grade.FAIL


def test_ranking_with_ties_within_type(org_tree, staff_user, supervisor_user):
    from tests.factories import make_org

    rubric = make_rubric(2026, "established")
    orgs = [
        make_org(
            name=f"局{i}离退休干部党支部",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
        for i in range(4)
    ]
    round_ = services.round_create(year=2026, title="r", rubrics=[rubric], acting_user=staff_user)
    services.round_set_scope(round=round_, organizations=orgs, acting_user=staff_user)
    services.round_assign(
        round=round_, organizations=orgs, supervisors=[supervisor_user], acting_user=staff_user
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    for org, plan in zip(orgs, ["30", "38", "38", "20"], strict=True):
        score_all(round_.assessments.get(organization=org), supervisor_user, normal={"1.1": plan})
    services.round_finalize(round=round_, acting_user=staff_user)
    ranks = {a.organization.name: a.rank for a in round_.assessments.select_related("organization")}
    assert ranks == {
        "局1离退休干部党支部": 1,
        "局2离退休干部党支部": 1,
        "局0离退休干部党支部": 3,
        "局3离退休干部党支部": 4,
    }
    assert services.competition_ranks([5, 5, 4, 4, 4, 1]) == [1, 1, 3, 3, 3, 6]


def test_a_finalized_round_is_read_only_and_reopening_is_recorded(
    scoring_round, supervisor_user, staff_user
):
    score_all(scoring_round.a, supervisor_user)
    score_all(scoring_round.b, scoring_round.other_supervisor)
    services.round_finalize(round=scoring_round.round, acting_user=staff_user)
    a = scoring_round.a
    a.refresh_from_db()
    with pytest.raises(AssessmentError, match="scoring|评分"):
        services.scores_save(
            assessment=a,
            version=a.version,
            entries=[_entry(a, "1.1", score="10", comment="x")],
            acting_user=supervisor_user,
        )
    assert a.scores.get(item__code="1.1").score == Decimal("40")
    with pytest.raises(AssessmentError):
        services.round_reopen(round=scoring_round.round, reason="  ", acting_user=staff_user)
    with pytest.raises(AssessmentError):
        services.round_reopen(round=scoring_round.round, reason="复核", acting_user=supervisor_user)
    services.round_reopen(round=scoring_round.round, reason="复核材料有误", acting_user=staff_user)
    event = RoundEvent.objects.filter(round=scoring_round.round).last()
    assert event.is_reopening and event.reason == "复核材料有误" and event.by == staff_user
    assert event.to_state == RoundState.SCORING
    services.scores_save(
        assessment=a,
        version=a.version,
        entries=[_entry(a, "1.1", score="10", comment="x")],
        acting_user=supervisor_user,
    )
    services.round_finalize(round=scoring_round.round, acting_user=staff_user)
    a.refresh_from_db()
    assert a.total == Decimal("70") and a.grade == Grade.PASS


def test_transitions_only_by_staff_and_in_order(org_tree, staff_user, supervisor_user):
    rubric = make_rubric(2026, "established")
    round_ = services.round_create(year=2026, title="r", rubrics=[rubric], acting_user=staff_user)
    with pytest.raises(AssessmentError):
        services.round_open_self_assessment(round=round_, acting_user=staff_user)  # no scope
    with pytest.raises(AssessmentError):
        services.round_open_scoring(round=round_, acting_user=staff_user)
    with pytest.raises(AssessmentError):
        services.round_finalize(round=round_, acting_user=staff_user)
    with pytest.raises(AssessmentError):  # three-affinity branch A has no rubric in this round
        services.round_set_scope(
            round=round_, organizations=[org_tree.branch_a], acting_user=staff_user
        )
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_b], acting_user=staff_user
    )
    with pytest.raises(AssessmentError):
        services.round_open_self_assessment(round=round_, acting_user=supervisor_user)
    with pytest.raises(AssessmentError):
        services.round_create(year=2025, title="r", rubrics=[rubric], acting_user=staff_user)
