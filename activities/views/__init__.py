"""Thin views of /activities/ by sub-domain: `meetings` (organizational life: the ledger,
calendar, one activity, attendance, the meeting log, exports), `training` (党员联培),
`volunteering` (volunteer hours) and `compliance` (the board, required frequencies)."""

from activities.views.meetings import organization_section_context

__all__ = ["organization_section_context"]
