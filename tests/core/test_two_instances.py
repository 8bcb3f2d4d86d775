"""Beyond one machine: two gunicorn instances on two ports sharing PostgreSQL and Redis, plus
one job worker — a change made through A shows on B's 首页 at once; an export asked on A is
run by the worker and downloaded from B. The test runs bench/two_instances.py (which starts and
stops every process it needs) against the PostgreSQL server of DATABASE_URL, in a database of
its own (`alliance_two_instances`), and Redis db 13.

Skipped, with the reason, on SQLite (two servers sharing one SQLite file is not a deployment
this portal supports) and when Redis does not answer. Marked postgres_only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres_only


def test_two_instances_share_the_home_invalidation_and_the_jobs():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): two servers share one database")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis at 127.0.0.1:6379 (db 13)")
    parts = urlsplit(os.environ["DATABASE_URL"])
    server = urlunsplit(parts._replace(path="", query=""))
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "two_instances.py"), "--postgres", server],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "OK: two instances share the 首页 invalidation and the jobs" in result.stdout
