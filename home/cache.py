"""The 首页 cache: the alliance-wide aggregates, kept per year under a generation number.

`cached(name, year, compute)` keys every value with the current generation; `invalidate()`
bumps it, so every cached aggregate is stale from then on. What bumps it
(`connect_invalidation`, from HomeConfig.ready):

- a save or delete of a row under the figures (`SOURCE_MODELS`) — once its transaction has
  committed (`transaction.on_commit`), so a request running meanwhile cannot cache the old
  figures again under the new generation, and a rolled-back write bumps nothing;
- `core.signals.records_changed` for one of those models — sent on commit by bulk writes, which
  send no per-row signals (the member import).

With `CACHE_URL=redis://…` the generation and the values live in Redis, so a write handled by
one process (or machine) is seen by every other at once. A cold aggregate can take seconds at
province scale; when many requests find it missing together only one computes it (a lock taken
with `cache.add`, which is atomic in Redis and in the per-process memory cache): the others
answer with the last value computed for the same year and language (`last good`, however old
its generation) or, when there is none yet, wait for the computing one's value. Should the
computing process die, its lock expires after LOCK_SECONDS and the next request computes.
"""

from __future__ import annotations

import time

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


# A cold computation holds its lock at most this long (a request is cut at 60 s by gunicorn).
LOCK_SECONDS = 60
# The previous generation's value is kept this long to answer while the next one is computed.
LAST_GOOD_SECONDS = 24 * 3600
POLL_SECONDS = 0.05


def _first_generation() -> int:
    # Microseconds since the epoch, not 0: should the generation key be lost (evicted, Redis
    # restarted) the next generation is still one no cached value was ever stored under.
    return time.time_ns() // 1000


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _first_generation(), None)
        value = cache.get(GENERATION_KEY)
    return value


def invalidate(**_kwargs) -> None:
    """Bump the generation: every cached aggregate is stale from now on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or it was evicted)
        cache.set(GENERATION_KEY, _first_generation(), None)


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


def _wait() -> None:
    time.sleep(POLL_SECONDS)


def cached(name: str, year: int, compute):
    """The value of `compute()` for this generation, computed by one request at a time."""
    language = translation.get_language()
    base = f"alliance:dashboard:{name}:{year}:{language}:{timezone.localdate()}"
    key = f"{base}:{generation()}"
    lock_key = f"{key}:lock"
    last_good_key = f"{base}:last-good"
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        value = cache.get(key)
        if value is not None:
            return value
        if cache.add(lock_key, True, LOCK_SECONDS):
            try:
                # Checked again under the lock: the request that held it before may have
                # stored the value (and let go of the lock) since this one last looked.
                value = cache.get(key)
                if value is not None:
                    return value
                value = compute()
                cache.set(key, value, CACHE_SECONDS)
                cache.set(last_good_key, value, LAST_GOOD_SECONDS)
            finally:
                cache.delete(lock_key)
            return value
        # Another request is computing it: answer with the last good value, or wait for theirs.
        value = cache.get(last_good_key)
        if value is not None:
            return value
        if time.monotonic() >= deadline:
            # The lock outlived a request's longest life: its holder is stuck; don't wait on.
            return compute()
        _wait()
