"""Every write of the assessment app: rubrics, rounds, scores, inspections.

Keyword-only, atomic, validated; one error class, `AssessmentError`, with a message for people.
The modules split the work by sub-domain; this package re-exports their public names, so
callers write `from assessment import services` and `services.round_finalize(...)`.
"""

from assessment.services.common import AssessmentError, StaleAssessmentError
from assessment.services.inspections import (
    RectificationSpec,
    inspection_record,
    rectification_add,
    rectification_mark_done,
)
from assessment.services.rounds import (
    grade_thresholds_set,
    round_assign,
    round_create,
    round_finalize,
    round_open_scoring,
    round_open_self_assessment,
    round_reopen,
    round_set_scope,
    round_unassign,
)
from assessment.services.rubrics import (
    RUBRIC_UPLOAD_MAX_BYTES,
    DeductionSpec,
    ItemSpec,
    SectionSpec,
    rubric_copy,
    rubric_create,
    rubric_import,
    rubric_parse_xlsx,
    rubric_problems,
    rubric_specs,
    rubric_validate,
    total_points,
)
from assessment.services.scoring import (
    ScoreEntry,
    SelfEntry,
    can_score,
    can_self_assess,
    competition_ranks,
    compute_total,
    scores_save,
    self_assessment_save,
)

__all__ = [
    "RUBRIC_UPLOAD_MAX_BYTES",
    "AssessmentError",
    "DeductionSpec",
    "ItemSpec",
    "RectificationSpec",
    "ScoreEntry",
    "SectionSpec",
    "SelfEntry",
    "StaleAssessmentError",
    "can_score",
    "can_self_assess",
    "competition_ranks",
    "compute_total",
    "grade_thresholds_set",
    "inspection_record",
    "rectification_add",
    "rectification_mark_done",
    "round_assign",
    "round_create",
    "round_finalize",
    "round_open_scoring",
    "round_open_self_assessment",
    "round_reopen",
    "round_set_scope",
    "round_unassign",
    "rubric_copy",
    "rubric_create",
    "rubric_import",
    "rubric_parse_xlsx",
    "rubric_problems",
    "rubric_specs",
    "rubric_validate",
    "scores_save",
    "self_assessment_save",
    "total_points",
]
