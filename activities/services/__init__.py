"""Every write of the activities app: keyword-only, atomic, validated before saving.

By sub-domain: `meetings` (organizational life: activities, hosts, attachments, attendance,
the meeting log), `training` (党员联培: sessions, micro-lecture contests, lecture teams),
`volunteering` (volunteer hours), `compliance` (required frequencies). `from
activities.services import X` keeps working for every name below.
"""

from activities.services.common import ActivityError
from activities.services.compliance import (
    DEFAULT_FREQUENCIES,
    required_frequencies_ensure_defaults,
    required_frequency_delete,
    required_frequency_save,
)
from activities.services.meetings import (
    ACTIVITY_CANCEL,
    ACTIVITY_CREATE,
    ACTIVITY_MARK_HELD,
    ACTIVITY_UPDATE,
    ATTENDANCE_RECORD,
    UPDATABLE,
    activity_cancel,
    activity_create,
    activity_mark_held,
    activity_update,
    attachment_add,
    attendance_record,
    cohost_accept,
    cohost_decline,
    expected_participants,
    meeting_log,
)
from activities.services.training import (
    contest_create,
    contest_entry_add,
    contest_entry_update,
    judge_score_record,
    lecture_team_save,
    training_create,
    training_update,
)
from activities.services.volunteering import volunteer_hours_record

__all__ = [
    "ACTIVITY_CANCEL",
    "ACTIVITY_CREATE",
    "ACTIVITY_MARK_HELD",
    "ACTIVITY_UPDATE",
    "ATTENDANCE_RECORD",
    "DEFAULT_FREQUENCIES",
    "UPDATABLE",
    "ActivityError",
    "activity_cancel",
    "activity_create",
    "activity_mark_held",
    "activity_update",
    "attachment_add",
    "attendance_record",
    "cohost_accept",
    "cohost_decline",
    "contest_create",
    "contest_entry_add",
    "contest_entry_update",
    "expected_participants",
    "judge_score_record",
    "lecture_team_save",
    "meeting_log",
    "required_frequencies_ensure_defaults",
    "required_frequency_delete",
    "required_frequency_save",
    "training_create",
    "training_update",
    "volunteer_hours_record",
]
