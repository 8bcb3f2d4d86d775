"""Scores and assessments keep an audit trail (django-simple-history): who changed what."""

from __future__ import annotations

import pytest

from assessment import services
from assessment.models import Assessment, ItemScore, Round
from tests.assessment.conftest import score_all

pytestmark = pytest.mark.django_db


def test_models_with_history():
    for model in (Round, Assessment, ItemScore):
        assert hasattr(model, "history"), model


def test_rescoring_keeps_the_earlier_score_in_history(scoring_round, supervisor_user):
    assessment = scoring_round.a
    score_all(assessment, supervisor_user)
    row = assessment.scores.select_related("item").filter(item__kind="normal").first()
    full = row.item.max_points
    score_all(assessment, supervisor_user, normal={row.item.code: full - 1})

    changes = list(row.history.order_by("history_date", "history_id"))
    scores = [h.score for h in changes]
    assert scores[-2:] == [full, full - 1]
    assert changes[-1].comment == "材料不全"
    assert changes[-1].updated_by_id == supervisor_user.pk
    delta = changes[-1].diff_against(changes[-2])
    assert "score" in delta.changed_fields

    versions = list(
        assessment.history.order_by("history_date", "history_id").values_list("version", flat=True)
    )
    assert versions[-1] > versions[0]


def test_round_state_changes_are_recorded(scoring_round):
    states = list(
        scoring_round.round.history.order_by("history_date", "history_id").values_list(
            "state", flat=True
        )
    )
    assert states[0] != states[-1]
    assert states[-1] == scoring_round.round.state


def test_finalizing_names_its_history_rows(scoring_round, supervisor_user, staff_user):
    score_all(scoring_round.a, supervisor_user)
    score_all(scoring_round.b, scoring_round.other_supervisor)
    services.round_finalize(round=scoring_round.round, acting_user=staff_user)

    latest = scoring_round.round.history.order_by("-history_date", "-history_id").first()
    assert latest.state == "finalized"
    assert latest.history_change_reason == "assessment.round.finalize"
    for assessment in (scoring_round.a, scoring_round.b):
        record = assessment.history.order_by("-history_date", "-history_id").first()
        assert record.history_change_reason == "assessment.assessment.finalize"
        assert record.grade and record.rank
    reasons = set(
        ItemScore.history.filter(assessment__round=scoring_round.round).values_list(
            "history_change_reason", flat=True
        )
    )
    assert {"assessment.itemscore.create", "assessment.itemscore.score"} <= reasons
