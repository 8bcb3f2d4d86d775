"""`/healthz`: is this app server fit to serve? For the load balancer and the monitoring.

JSON, no login, no data: each component answers `ok` and the milliseconds it took, or `ok:
false` and the class of the error (never its message, which may name a host or a user).
200 when every component is ok, 503 otherwise, with the failing ones under `failing`.

- database: `SELECT 1` on the default database;
- cache: set, read back and delete a random key;
- jobs: db backend → the task table answers, with how many tasks wait for a worker; rq → Redis
  answers a ping, with the length of each queue (immediate → nothing to check);
- storage: write, read back and delete a small probe file on the default storage (the disk
  under MEDIA_ROOT, or the S3 bucket).
Each is bounded in time by the connection timeouts in settings (DB_CONNECT_TIMEOUT,
CACHE_SOCKET_TIMEOUT) and HEALTH_REDIS_TIMEOUT here.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult
from rq import Queue

HEALTH_REDIS_TIMEOUT = 2.0
PROBE_DIR = "healthz"


class ProbeMismatch(Exception):
    """What was written is not what was read back."""


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    key = f"healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, 30)
    try:
        if cache.get(key) != value:
            raise ProbeMismatch
    finally:
        cache.delete(key)
    return {}


def _jobs_backend() -> str:
    return settings.TASKS["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_jobs() -> dict:
    backend = _jobs_backend()
    queues = settings.TASKS["default"].get("QUEUES", ["default"])
    if backend == "DatabaseBackend":
        return {"backend": "db", "waiting": DBTaskResult.objects.ready().count()}
    if backend == "RQBackend":
        waiting = {}
        for name in queues:
            client = redis.Redis.from_url(
                settings.RQ_QUEUES[name]["URL"],
                socket_connect_timeout=HEALTH_REDIS_TIMEOUT,
                socket_timeout=HEALTH_REDIS_TIMEOUT,
            )
            try:
                client.ping()
                waiting[name] = Queue(name, connection=client).count
            finally:
                client.close()
        return {"backend": "rq", "waiting": sum(waiting.values())}
    return {"backend": "immediate"}


def check_storage() -> dict:
    content = secrets.token_hex(8).encode()
    name = default_storage.save(
        f"{PROBE_DIR}/probe-{secrets.token_hex(8)}.txt", ContentFile(content)
    )
    try:
        with default_storage.open(name, "rb") as probe:
            if probe.read() != content:
                raise ProbeMismatch
    finally:
        default_storage.delete(name)
    return {}


COMPONENTS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "cache": check_cache,
    "jobs": check_jobs,
    "storage": check_storage,
}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in COMPONENTS.items():
        started = time.perf_counter()
        try:
            details = check()
        except Exception as exc:  # reported as the component's state, by class only
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True, **details}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    components = run_checks()
    failing = [name for name, state in components.items() if not state["ok"]]
    body = {"status": "error" if failing else "ok", "components": components}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
