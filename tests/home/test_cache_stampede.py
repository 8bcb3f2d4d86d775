"""A cold 首页 aggregate asked for by many requests at once is computed once: one holds the
lock, the others answer with the last good value or wait for the one being computed. Run on
the per-process memory cache and on Redis (db 14 of 127.0.0.1:6379, flushed around each test;
skipped with the reason when no Redis answers)."""

from __future__ import annotations

import threading

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone, translation

from home import cache as home_cache

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = "redis://127.0.0.1:6379/14"
CACHE_SETTINGS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stampede"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL},
}


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    return client


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request):
    client = _redis_or_skip() if request.param == "redis" else None
    if client:
        client.flushdb()
    with override_settings(CACHES={"default": CACHE_SETTINGS[request.param]}):
        cache.clear()
        yield request.param
        cache.clear()
    if client:
        client.flushdb()
        client.close()


class Computation:
    """A cold aggregate that counts its runs and, when told to, blocks until released."""

    def __init__(self, value, *, block: bool = False):
        self.value = value
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()
        if not block:
            self.release.set()
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
        self.started.set()
        assert self.release.wait(30), "never released"
        return self.value


def waiting_threads(monkeypatch):
    """Record which threads went to wait for another's computation."""
    waited: set[int] = set()
    lock = threading.Lock()
    real_wait = home_cache._wait

    def recording_wait():
        with lock:
            waited.add(threading.get_ident())
        real_wait()

    monkeypatch.setattr(home_cache, "_wait", recording_wait)
    return waited


def test_eight_requests_for_a_cold_aggregate_compute_it_once(shared_cache, monkeypatch):
    waited = waiting_threads(monkeypatch)
    compute = Computation({"members": 42}, block=True)
    results, errors = [], []

    def ask():
        try:
            results.append(home_cache.cached("figures", 2026, compute))
        except Exception as exc:  # reported below; a thread's exception would be lost
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert compute.started.wait(30)
    # Release the computation only once the seven others are all waiting for it.
    for _ in range(600):
        if len(waited) == 7:
            break
        threading.Event().wait(0.05)
    assert len(waited) == 7
    compute.release.set()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert compute.calls == 1
    assert results == [{"members": 42}] * 8


def test_while_one_computes_the_others_get_the_last_good_value(shared_cache):
    old = Computation({"members": 41})
    assert home_cache.cached("figures", 2026, old) == {"members": 41}
    home_cache.invalidate()  # a write committed: the aggregate is cold again

    compute = Computation({"members": 42}, block=True)
    holder = threading.Thread(target=home_cache.cached, args=("figures", 2026, compute))
    holder.start()
    assert compute.started.wait(30)
    second = Computation({"members": 99})
    # The first request still computes: this one is answered with the previous generation's.
    assert home_cache.cached("figures", 2026, second) == {"members": 41}
    assert second.calls == 0
    compute.release.set()
    holder.join(30)
    # Once computed, everyone gets the new value.
    assert home_cache.cached("figures", 2026, second) == {"members": 42}
    assert second.calls == 0


def test_a_waiter_gets_the_value_the_lock_holder_stores(shared_cache, monkeypatch):
    """No last good value (first computation ever): the others wait for the one computing."""
    key = f"alliance:dashboard:figures:2026:{_language()}:{_today()}:{home_cache.generation()}"
    assert cache.add(f"{key}:lock", True, 60)  # another process is computing

    def the_other_process_finishes():
        cache.set(key, {"members": 7}, 60)
        cache.delete(f"{key}:lock")

    monkeypatch.setattr(home_cache, "_wait", the_other_process_finishes)
    compute = Computation({"members": 8})
    assert home_cache.cached("figures", 2026, compute) == {"members": 7}
    assert compute.calls == 0


def test_when_the_lock_holder_dies_the_next_request_computes(shared_cache, monkeypatch):
    key = f"alliance:dashboard:figures:2026:{_language()}:{_today()}:{home_cache.generation()}"
    assert cache.add(f"{key}:lock", True, 60)
    # The holder's process dies: nothing stored; its lock expires (deleted here).
    monkeypatch.setattr(home_cache, "_wait", lambda: cache.delete(f"{key}:lock"))
    compute = Computation({"members": 9})
    assert home_cache.cached("figures", 2026, compute) == {"members": 9}
    assert compute.calls == 1
    assert cache.get(f"{key}:lock") is None


def test_a_lost_generation_key_never_brings_back_an_older_generation(shared_cache):
    old = Computation({"members": 1})
    home_cache.cached("figures", 2026, old)
    first = home_cache.generation()
    cache.delete(home_cache.GENERATION_KEY)  # evicted, or Redis restarted without its data
    assert home_cache.generation() != first
    new = Computation({"members": 2})
    assert home_cache.cached("figures", 2026, new) == {"members": 2}
    assert new.calls == 1


def _language() -> str:
    return translation.get_language()


def _today():
    return timezone.localdate()
