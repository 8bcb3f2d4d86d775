"""What every assessment service shares: the one error class and the staff check."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import ServiceError


class AssessmentError(ServiceError):
    """A refused assessment write; `str(error)` is the message to show."""


class StaleAssessmentError(AssessmentError):
    """The assessment was saved by someone else after this user loaded it."""

    def __init__(self, message: str, changes: list[str]):
        super().__init__(message)
        self.changes = changes


def _validation_message(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _require_perm(user, perm: str, message: str) -> None:
    """Services ask the same rules as the pages (assessment/permissions.py)."""
    if not (user and user.is_authenticated and user.has_perm(perm)):
        raise AssessmentError(message)


def _require_staff(user, perm: str = "assessment.change_round") -> None:
    _require_perm(user, perm, _("Only bureau staff may do this."))
