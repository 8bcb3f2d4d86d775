"""Writes of compliance: the required frequencies of organizational life (bureau staff)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from activities.models import ActivityType, RequiredFrequency
from activities.services.common import ActivityError, acts_for_bureau, full_clean
from core.models import User


@transaction.atomic
def required_frequency_save(
    *,
    organization_kind: str,
    activity_type: str,
    period: str,
    times: int,
    acting_user: User,
    item: RequiredFrequency | None = None,
) -> RequiredFrequency:
    """Add or change a required frequency (bureau staff only)."""
    if not acts_for_bureau(acting_user):
        raise ActivityError(_("Only bureau staff change the required frequencies."))
    if item is None:
        item = (
            RequiredFrequency.objects.filter(
                organization_kind=organization_kind, activity_type=activity_type
            ).first()
            or RequiredFrequency()
        )
    item.organization_kind = organization_kind
    item.activity_type = activity_type
    item.period = period
    item.times = times
    full_clean(item)
    item.save()
    return item


@transaction.atomic
def required_frequency_delete(*, item: RequiredFrequency, acting_user: User) -> None:
    """Requirements are configuration, not history: removing one is allowed."""
    if not acts_for_bureau(acting_user):
        raise ActivityError(_("Only bureau staff change the required frequencies."))
    item.delete()


DEFAULT_FREQUENCIES = (
    *(
        (kind, activity_type, period)
        for kind in ("branch", "general_branch")
        for activity_type, period in (
            (ActivityType.COMMITTEE_MEETING, "month"),
            (ActivityType.GENERAL_MEETING, "quarter"),
            (ActivityType.PARTY_LECTURE, "quarter"),
            (ActivityType.THEME_DAY, "month"),
            (ActivityType.LIFE_MEETING, "year"),
            (ActivityType.DEMOCRATIC_REVIEW, "year"),
        )
    ),
    ("party_group", ActivityType.GROUP_MEETING, "month"),
)


def required_frequencies_ensure_defaults() -> None:
    """The defaults the data migration writes (for databases flushed by transactional tests)."""
    for kind, activity_type, period in DEFAULT_FREQUENCIES:
        RequiredFrequency.objects.get_or_create(
            organization_kind=kind,
            activity_type=activity_type,
            defaults={"period": period, "times": 1},
        )
