"""Who may do what in the assessment app (django-rules).

Objects are fetched through `assessment.selectors` first, so an assessment the user may not
see at all is a 404 before any rule here is asked.
"""

from __future__ import annotations

import rules

from assessment.services import can_score, can_self_assess
from core.permissions import (
    is_bureau_staff,
    is_secretary,
    is_signed_in,
    is_supervisor,
    is_viewer,
)


@rules.predicate
def is_assigned_supervisor(user, assessment) -> bool:

    return bool(assessment is not None and is_supervisor(user) and can_score(user, assessment))


@rules.predicate
def is_own_secretary(user, assessment) -> bool:
    return bool(assessment is not None and can_self_assess(user, assessment))


@rules.predicate
def round_is_finalized(user, assessment) -> bool:
    return bool(assessment is not None and assessment.round.is_finalized)


reads_assessment = is_bureau_staff | is_supervisor | is_viewer

rules.add_perm("assessment.view_index", is_signed_in)
rules.add_perm("assessment.view_rubric", reads_assessment)
rules.add_perm("assessment.change_rubric", is_bureau_staff)
rules.add_perm("assessment.view_round", reads_assessment)
rules.add_perm("assessment.change_round", is_bureau_staff)
rules.add_perm("assessment.view_results", reads_assessment)
rules.add_perm("assessment.change_gradethresholds", is_bureau_staff)
rules.add_perm("assessment.view_my_assignments", is_supervisor)
rules.add_perm("assessment.view_my_self_assessment", is_secretary)
# Scores: the assigned supervisors (and bureau staff) change them, nobody else.
rules.add_perm("assessment.score_assessment", is_bureau_staff | is_assigned_supervisor)
rules.add_perm("assessment.self_assess_assessment", is_own_secretary)
# A secretary sees the assessed scores of their organization only once the round is final.
rules.add_perm(
    "assessment.view_scorecard",
    is_bureau_staff | is_viewer | is_assigned_supervisor | (is_own_secretary & round_is_finalized),
)
rules.add_perm("assessment.view_inspection", reads_assessment | is_secretary)
rules.add_perm("assessment.change_inspection", is_bureau_staff | is_supervisor)
