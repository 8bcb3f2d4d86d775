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

import datetime
import json
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from activities.models import Activity, ActivityHost, Attendance, RequiredFrequency
from alliance.models import AllianceMembership, AnnualTarget
from assessment.models import Assessment, Round
from branches.models import CommitteePosition, CommitteeTerm, Organization
from core.generations import Generation
from home.models import FigureSnapshot
from members.models import Member, Participation
from venues.models import Booking, Venue

CACHE_SECONDS = 600
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
# A recomputation asked of the worker is not asked again for this long (the same generation).
REFRESH_QUEUED_SECONDS = 300

logger = logging.getLogger(__name__)


# The generation every aggregate is cached under (core.generations: moved on when a write to
# one of SOURCE_MODELS commits, or a bulk write of one is announced).
DASHBOARD = Generation("alliance:dashboard", SOURCE_MODELS)
GENERATION_KEY = DASHBOARD.key


def generation() -> int:
    return DASHBOARD.number()


def invalidate(**_kwargs) -> None:
    """Bump the generation: every cached aggregate is stale from now on."""
    DASHBOARD.bump()


def connect_invalidation() -> None:
    DASHBOARD.connect()


def _wait() -> None:
    time.sleep(POLL_SECONDS)


@dataclass(frozen=True)
class Kept:
    """A computed aggregate with when it was computed and how long that took (the last-good
    value in the cache, or a FigureSnapshot row read back)."""

    value: Any
    computed_at: datetime.datetime
    seconds: float


# name → compute(year): the aggregates the job worker can recompute on its own (registered by
# home.figures, home.charts, home.kpis). Others are only ever computed inline.
_REFRESHERS: dict[str, Callable[[int], Any]] = {}

# When the 首页 answered with a kept value instead of the current one: the oldest such time
# of this request (read by the view, which resets it first).
_stale_since: ContextVar[datetime.datetime | None] = ContextVar("home_stale_since", default=None)


# Inside `current_only()`: never answer with a kept value (an official report wants the figures
# of now, whatever they cost).
_current_only: ContextVar[bool] = ContextVar("home_current_only", default=False)


@contextmanager
def current_only():
    """Within this block `cached` computes what is not current instead of showing the last
    value (the annual workbook: its figures are those of the time it says it was made)."""
    token = _current_only.set(True)
    try:
        yield
    finally:
        _current_only.reset(token)


def refresher(name: str):
    """Register `compute(year)` as the way the worker recomputes aggregate `name`."""

    def register(compute: Callable[[int], Any]):
        _REFRESHERS[name] = compute
        return compute

    return register


def refreshable() -> list[str]:
    """The aggregates the job worker can recompute (registered with `refresher` by
    home.figures, home.charts and home.kpis, which HomeConfig.ready imports)."""
    return sorted(_REFRESHERS)


def begin_request() -> None:
    _stale_since.set(None)


def stale_since() -> datetime.datetime | None:
    """The time of the oldest kept value this request showed (None: every value current)."""
    return _stale_since.get()


def _background_after() -> float | None:
    return getattr(settings, "HOME_BACKGROUND_AFTER_SECONDS", None)


def _is_slow(kept: Kept) -> bool:
    threshold = _background_after()
    return threshold is not None and kept.seconds >= threshold


def _keys(name: str, year: int, language: str) -> tuple[str, str]:
    base = f"alliance:dashboard:{name}:{year}:{language}:{timezone.localdate()}"
    # ":last-kept" (a Kept), not the ":last-good" of earlier releases (a bare value): a cache
    # that outlives an upgrade is never read as the other shape.
    return f"{base}:{generation()}", f"{base}:last-kept"


def _snapshot(name: str, year: int, language: str) -> Kept | None:
    row = (
        FigureSnapshot.objects.filter(name=name, year=year, language=language)
        .values_list("value", "computed_at", "seconds")
        .first()
    )
    return Kept(*row) if row else None


def _previous(name: str, year: int, language: str, last_good_key: str) -> Kept | None:
    """The last value computed for this aggregate: the cache's, else (only where slow
    aggregates are answered in the background) the database's snapshot."""
    kept = cache.get(last_good_key)
    if not isinstance(kept, Kept):
        kept = None
    if kept is None and _background_after() is not None and name in _REFRESHERS:
        kept = _snapshot(name, year, language)
        if kept is not None:
            cache.set(last_good_key, kept, LAST_GOOD_SECONDS)
    return kept


def _keep(name: str, year: int, language: str, key: str, last_good_key: str, compute) -> Any:
    """Compute, and keep the value under `key`, as last good, and (when slow) in the
    database, where a restarted process or an emptied cache finds it."""
    started = time.perf_counter()
    value = compute()
    kept = Kept(value, timezone.now(), time.perf_counter() - started)
    cache.set(key, value, CACHE_SECONDS)
    cache.set(last_good_key, kept, LAST_GOOD_SECONDS)
    if _is_slow(kept) and name in _REFRESHERS:
        if _json_round_trip(value) == value:
            FigureSnapshot.objects.update_or_create(
                name=name,
                year=year,
                language=language,
                defaults={"value": value, "computed_at": kept.computed_at, "seconds": kept.seconds},
            )
        else:
            logger.warning("首页 aggregate %s is not plain JSON: no snapshot kept", name)
    return value


def _json_round_trip(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _refresh_later(key: str, name: str, year: int, language: str) -> None:
    """Ask the job worker, once per generation, to compute the current value."""
    if cache.add(f"{key}:refresh", True, REFRESH_QUEUED_SECONDS):
        transaction.on_commit(
            lambda: refresh_aggregate_task.enqueue(name=name, year=year, language=language)
        )


def _answer_stale(kept: Kept) -> Any:
    since = _stale_since.get()
    if since is None or kept.computed_at < since:
        _stale_since.set(kept.computed_at)
    return kept.value


def cached(name: str, year: int, compute):
    """The value of `compute()` for this generation, computed by one request at a time.

    An aggregate whose last computation took HOME_BACKGROUND_AFTER_SECONDS or more is not
    computed in the request: the request answers with the last value (marked stale:
    `stale_since()`) and the job worker computes the current one (`refresh_aggregate_task`)."""
    language = translation.get_language()
    key, last_good_key = _keys(name, year, language)
    lock_key = f"{key}:lock"
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        value = cache.get(key)
        if value is not None:
            return value
        previous = _previous(name, year, language, last_good_key)
        if (
            previous is not None
            and _is_slow(previous)
            and name in _REFRESHERS
            and not _current_only.get()
        ):
            _refresh_later(key, name, year, language)
            return _answer_stale(previous)
        if cache.add(lock_key, True, LOCK_SECONDS):
            try:
                # Checked again under the lock: the request that held it before may have
                # stored the value (and let go of the lock) since this one last looked.
                value = cache.get(key)
                if value is not None:
                    return value
                value = _keep(name, year, language, key, last_good_key, compute)
            finally:
                cache.delete(lock_key)
            return value
        # Another request is computing it: answer with the last good value, or wait for theirs.
        if previous is not None and not _current_only.get():
            return previous.value
        if time.monotonic() >= deadline:
            # The lock outlived a request's longest life: its holder is stuck; don't wait on.
            return compute()
        _wait()


def refresh(name: str, year: int) -> Any:
    """Compute aggregate `name` of `year` now, in the active language, and keep it (the job
    worker's side of `cached`)."""
    if name not in refreshable():
        raise ValueError(f"no 首页 aggregate {name!r} to refresh")
    language = translation.get_language()
    key, last_good_key = _keys(name, year, language)
    return _keep(name, year, language, key, last_good_key, partial(_REFRESHERS[name], year))


@task()
def refresh_aggregate_task(name: str, year: int, language: str) -> None:
    with translation.override(language):
        refresh(name, year)
