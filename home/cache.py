"""The 首页 cache: the alliance-wide aggregates, kept per year under a generation number.

`cached(name, year, compute)` keys every value with the current generation; `invalidate()`
bumps it, so every cached aggregate is stale from then on. What bumps it
(`connect_invalidation`, from HomeConfig.ready):

- a save or delete of a row under the figures (`SOURCE_MODELS`) — once its transaction has
  committed (`transaction.on_commit`), so a request running meanwhile cannot cache the old
  figures again under the new generation, and a rolled-back write bumps nothing;
- `core.signals.records_changed` for one of those models — sent on commit by bulk writes, which
  send no per-row signals (the member import).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation

from activities.models import Activity, ActivityHost, Attendance, RequiredFrequency
from alliance.models import AllianceMembership, AnnualTarget
from assessment.models import Assessment, Round
from branches.models import CommitteePosition, CommitteeTerm, Organization
from core.signals import records_changed
from members.models import Member, Participation
from venues.models import Booking, Venue

CACHE_SECONDS = 600
GENERATION_KEY = "alliance:dashboard:generation"
# The models whose rows the alliance-wide figures are computed from.
SOURCE_MODELS = (
    Organization,
    AllianceMembership,
    AnnualTarget,
    CommitteeTerm,
    CommitteePosition,
    Member,
    Participation,
    Activity,
    ActivityHost,
    Attendance,
    RequiredFrequency,
    Booking,
    Venue,
    Assessment,
    Round,
)


def generation() -> int:
    return cache.get(GENERATION_KEY) or 0


def invalidate(**_kwargs) -> None:
    """Bump the generation: every cached aggregate is stale from now on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def invalidate_on_commit(using=None, **_kwargs) -> None:
    """Bump the generation once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(invalidate, using=using)


def connect_invalidation() -> None:
    for model in SOURCE_MODELS:
        uid = f"home.cache:{model._meta.label}"
        post_save.connect(
            invalidate_on_commit, sender=model, dispatch_uid=f"{uid}:save", weak=False
        )
        post_delete.connect(
            invalidate_on_commit, sender=model, dispatch_uid=f"{uid}:delete", weak=False
        )
        records_changed.connect(invalidate, sender=model, dispatch_uid=f"{uid}:bulk", weak=False)


def cached(name: str, year: int, compute):
    language = translation.get_language()
    key = f"alliance:dashboard:{name}:{year}:{language}:{timezone.localdate()}:{generation()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
