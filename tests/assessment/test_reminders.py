"""Rectification deadlines within 7 days; self-assessment and scoring deadlines of open rounds."""

from __future__ import annotations

import datetime

import pytest

from assessment import services
from assessment.models import Round
from assessment.reminders import rectifications_due, scorings_due, self_assessments_due
from tests.assessment.conftest import make_rubric

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("deadline_in", "reminded"), [(8, False), (7, True), (0, True), (-1, False)]
)
def test_rectification_deadline_within_7_days(
    org_tree, secretary_user, supervisor_user, deadline_in, reminded
):
    inspection = services.inspection_record(
        kind="guidance",
        date=days(-30),
        organization=org_tree.group_a1,
        inspectors=[supervisor_user],
        findings="记录不全",
        acting_user=supervisor_user,
    )
    services.rectification_add(
        inspection=inspection,
        required="补齐记录",
        deadline=days(deadline_in),
        acting_user=supervisor_user,
    )
    reminders = rectifications_due(TODAY)
    assert bool(reminders) is reminded
    if reminded:
        # the group has no account: its branch's secretary, and the inspector
        assert reminders[0].recipients == [secretary_user, supervisor_user]
        assert org_tree.group_a1.name in reminders[0].title and "补齐记录" in reminders[0].title


def test_a_done_rectification_does_not_remind(org_tree, secretary_user, supervisor_user):
    inspection = services.inspection_record(
        kind="guidance",
        date=days(-30),
        organization=org_tree.branch_a,
        inspectors=[supervisor_user],
        findings="记录不全",
        acting_user=supervisor_user,
    )
    rectification = services.rectification_add(
        inspection=inspection, required="补齐记录", deadline=days(3), acting_user=supervisor_user
    )
    services.rectification_mark_done(
        rectification=rectification, done_on=days(-1), acting_user=supervisor_user
    )
    assert rectifications_due(TODAY) == []


@pytest.fixture
def self_round(org_tree, staff_user):
    rubric = make_rubric(2026, "three_affinity")
    established = make_rubric(2026, "established")
    round_ = services.round_create(
        year=2026,
        title="2026 年度考核",
        rubrics=[rubric, established],
        self_assessment_due=days(7),
        acting_user=staff_user,
    )
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_a, org_tree.branch_b], acting_user=staff_user
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    return round_


def test_self_assessment_due_goes_to_those_who_have_not_self_assessed(
    self_round, org_tree, secretary_user, other_secretary
):
    reminders = {r.recipients[0]: r for r in self_assessments_due(TODAY)}
    assert set(reminders) == {secretary_user, other_secretary}
    mine = reminders[secretary_user]
    assert org_tree.branch_a.name in mine.title and "2026 年度考核" in mine.title
    own = self_round.assessments.get(organization=org_tree.branch_a)
    assert mine.url == f"/assessment/assessments/{own.pk}/self/"
    row = own.scores.select_related("item").filter(item__kind="normal").first()
    services.self_assessment_save(
        assessment=own,
        version=own.version,
        entries=[services.SelfEntry(item_id=row.item_id, self_score=row.item.max_points)],
        acting_user=secretary_user,
    )
    assert [r.recipients for r in self_assessments_due(TODAY)] == [[other_secretary]]
    # 8 days ahead is not yet due; once passed it is overdue (a new key)
    assert self_assessments_due(days(-1)) == []
    (late,) = self_assessments_due(days(10))
    assert late.key != reminders[other_secretary].key


def test_a_round_without_deadline_reminds_nobody(self_round):
    Round.objects.filter(pk=self_round.pk).update(self_assessment_due=None)
    assert self_assessments_due(TODAY) == []


def test_scoring_due_goes_to_the_assigned_supervisor(scoring_round, supervisor_user, org_tree):
    Round.objects.filter(pk=scoring_round.round.pk).update(scoring_due=days(7))
    reminders = {r.recipients[0]: r for r in scorings_due(TODAY)}
    assert set(reminders) == {supervisor_user, scoring_round.other_supervisor}
    assert org_tree.branch_a.name in reminders[supervisor_user].title
    assert reminders[supervisor_user].url == f"/assessment/assessments/{scoring_round.a.pk}/score/"
    Round.objects.filter(pk=scoring_round.round.pk).update(scoring_due=days(8))
    assert scorings_due(TODAY) == []
