"""Values computed over many rows, cached until a row they are computed from changes.

A `Generation` names the models a family of cached values is computed from. Each value is
cached under the generation's current number; a committed save or delete of one of those
models (post_save/post_delete, on commit) or a committed bulk write (`core.signals.
records_changed`) bumps the number, so every value of the family is stale from then on. A
rolled-back write bumps nothing. With CACHE_URL=redis://… the number is shared by every
process, so a write in one is seen by all at once; with the per-process memory cache each
process drops its own values on its own writes only (see docs/deploy.md: use Redis with
several processes).

    OVERDUE = Generation("activities.overdue", [Activity, ActivityHost, RequiredFrequency])
    OVERDUE.connect()                      # once, from AppConfig.ready
    OVERDUE.cached(("all", as_of), compute)

A many-to-many's own table (`Member.skills.through`) may be named too: its add, remove, set
and clear bump the number. The models may be given as classes or as "app_label.Model"
strings: an app may depend on the rows of an app above it (branches' warnings count members)
without importing it.

(home.cache is the 首页's own, older variant: one generation over every figure's sources, with
a lock against stampedes and background recomputation of slow aggregates.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.signals import records_changed

CACHE_SECONDS = 600


def _first_number() -> int:
    # Microseconds since the epoch, not 0: should the key be lost (evicted, Redis restarted),
    # the next number is still one no value was ever cached under.
    return time.time_ns() // 1000


class Generation:
    def __init__(self, name: str, models: Iterable[type | str], seconds: int = CACHE_SECONDS):
        self.name = name
        self.models = list(models)
        self.seconds = seconds
        self.key = f"generation:{name}"

    def number(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, _first_number(), None)
            value = cache.get(self.key)
        return value

    def bump(self, **_kwargs) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # no number yet (or it was evicted)
            cache.set(self.key, _first_number(), None)

    def bump_on_commit(self, using=None, **_kwargs) -> None:
        transaction.on_commit(self.bump, using=using)

    def connect(self) -> None:
        """Listen to the models' writes (call once, from an AppConfig.ready)."""
        for model in self.models:
            sender = apps.get_model(model) if isinstance(model, str) else model
            uid = f"generation:{self.name}:{sender._meta.label}"
            post_save.connect(
                self.bump_on_commit, sender=sender, dispatch_uid=f"{uid}:save", weak=False
            )
            post_delete.connect(
                self.bump_on_commit, sender=sender, dispatch_uid=f"{uid}:delete", weak=False
            )
            records_changed.connect(
                self.bump, sender=sender, dispatch_uid=f"{uid}:bulk", weak=False
            )
            if sender._meta.auto_created:  # a many-to-many's table: add/remove/set/clear
                m2m_changed.connect(
                    self._m2m_changed, sender=sender, dispatch_uid=f"{uid}:m2m", weak=False
                )

    def _m2m_changed(self, action: str, using=None, **_kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            self.bump_on_commit(using=using)

    def cached(self, parts: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
        """`compute()` for this generation and these key parts (each part's str() goes in
        the key: give ids and dates, not objects)."""
        key = ":".join(["generation", self.name, str(self.number()), *map(str, parts)])
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, self.seconds)
        return value
