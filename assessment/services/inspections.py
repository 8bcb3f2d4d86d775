"""Inspections (检查) and the rectifications they require (整改)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import (
    Inspection,
    Rectification,
    RectificationStatus,
)
from assessment.services.common import AssessmentError, _require_perm, _validation_message

# --- Inspections ---------------------------------------------------------------------------


def _require_inspector(user) -> None:
    _require_perm(
        user,
        "assessment.change_inspection",
        _("Only bureau staff and supervisors record inspections."),
    )


@dataclass
class RectificationSpec:
    required: str
    deadline: datetime.date


@transaction.atomic
def inspection_record(
    *,
    kind: str,
    date: datetime.date,
    organization,
    inspectors: Iterable,
    findings: str,
    rectifications: Iterable[RectificationSpec] = (),
    acting_user,
) -> Inspection:
    _require_inspector(acting_user)
    inspection = Inspection(
        kind=kind, date=date, organization=organization, findings=findings, created_by=acting_user
    )
    try:
        inspection.full_clean()
        inspection.save()
        inspectors = list(inspectors) or [acting_user]
        inspection.inspectors.set(inspectors)
        for spec in rectifications:
            rectification_add(
                inspection=inspection,
                required=spec.required,
                deadline=spec.deadline,
                acting_user=acting_user,
            )
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    return inspection


@transaction.atomic
def rectification_add(
    *, inspection: Inspection, required: str, deadline: datetime.date, acting_user
) -> Rectification:
    _require_inspector(acting_user)
    if deadline < inspection.date:
        raise AssessmentError(_("The deadline cannot fall before the inspection."))
    rectification = Rectification(inspection=inspection, required=required, deadline=deadline)
    try:
        rectification.full_clean()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    rectification.save()
    return rectification


@transaction.atomic
def rectification_mark_done(
    *, rectification: Rectification, done_on: datetime.date, acting_user
) -> Rectification:
    _require_inspector(acting_user)
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.status == RectificationStatus.DONE:
        raise AssessmentError(_("This rectification is already done."))
    if done_on > timezone.localdate():
        raise AssessmentError(_("The completion date cannot be in the future."))
    rectification.status = RectificationStatus.DONE
    rectification.done_on = done_on
    try:
        rectification.full_clean()
    except ValidationError as exc:
        raise AssessmentError(_validation_message(exc)) from exc
    rectification.save()
    return rectification
