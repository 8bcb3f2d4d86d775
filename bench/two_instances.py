"""Two app servers, one database, one Redis, one job worker — on this machine.

    .venv/bin/python bench/two_instances.py [--postgres postgres://postgres@127.0.0.1:5432]

Creates (drops first) the database `alliance_two_instances` on that PostgreSQL server, migrates
it and builds a small organization tree with a few members and a staff account; flushes Redis
db 13 (the shared cache) and db 13's queues (jobs on RQ); starts gunicorn A and B on two free
ports and one `manage.py run_worker` (JOBS_BACKEND=rq), all with the same environment. Then:

1. the staff 首页 on B shows a figure (established branches), A and B both cache it;
2. a branch is dissolved through A (a POST as staff): B's 首页 shows the new figure — the
   generation bump made on A's commit is read by B from Redis, and B computes the figure at
   once or (if it was slow to compute) the worker does within seconds;
3. with EXPORT_JOB_THRESHOLD=0 the members export asked on A becomes a job (a redirect to
   /jobs/<id>/); the worker runs it; B's job page reports it done and B serves the file.
   The job file is on the default storage: here a MEDIA_ROOT directory both instances share,
   standing for the S3-compatible store (STORAGE_BACKEND=s3) several machines would share.

Exit status 0 when all of it held; every step is printed. tests/core/test_two_instances.py
runs this script (PostgreSQL and Redis, skipped on SQLite).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from openpyxl import load_workbook
from serving import (
    PYTHON,
    ROOT,
    Session,
    collectstatic,
    free_port,
    serving_environment,
    start_gunicorn,
    stop,
)

DATABASE = "alliance_two_instances"
CACHE_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "two-instances-staff-pw"
RECOVERY_CODES = ("benchcodea1", "benchcodeb2")
SETUP = f"""
from branches.models import Organization
from tests.activities.conftest import make_member
from tests.factories import make_org, make_org_tree, make_user
tree = make_org_tree()
staff = make_user("two_staff", role="staff", password={PASSWORD!r})
# Bureau staff must give a second factor: a recovery code for each of the two sessions.
from django_otp.plugins.otp_static.models import StaticDevice
device = StaticDevice.objects.create(user=staff, name="bench", confirmed=True)
for code in {RECOVERY_CODES!r}:
    device.token_set.create(token=code)
for name in ("王建国", "李秀英", "张志明"):
    make_member(tree.branch_a, name, acting_user=staff)
extra = make_org(name="双实例测试党支部", kind="branch", category="established",
                 parent=tree.committee)
print("EXTRA", extra.pk)
"""


def log(message: str) -> None:
    print(message, flush=True)


def manage(environment: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def figure(session: Session, name: str) -> str:
    status, content, _headers = session.request("GET", "/")
    assert status == 200, f"首页 answered {status}"
    match = re.search(rf'data-kpi="{name}">([^<]*)<'.encode(), content)
    assert match, f"no figure {name} on the 首页"
    return match[1].decode().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default=DATABASE)
    args = parser.parse_args()
    server = args.postgres.rstrip("/")
    database_url = f"{server}/{args.database}"
    subprocess.run(
        [
            "psql",
            f"{server}/postgres",
            "-q",
            "-c",
            f'DROP DATABASE IF EXISTS "{args.database}"',
            "-c",
            f'CREATE DATABASE "{args.database}"',
        ],
        check=True,
    )
    shared_cache = redis.Redis.from_url(CACHE_URL)
    shared_cache.flushdb()
    media = Path(tempfile.mkdtemp(prefix="alliance_two_instances_media_"))
    environment = serving_environment(
        database_url,
        CACHE_URL=CACHE_URL,
        JOBS_BACKEND="rq",
        REDIS_URL=CACHE_URL,
        EXPORT_JOB_THRESHOLD="0",
        MEDIA_ROOT=str(media),
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="2",
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    )
    log(f"database {args.database}, cache and queue {CACHE_URL}, files {media}")
    manage(environment, "migrate", "--noinput")
    collectstatic(environment)
    extra_pk = re.search(r"EXTRA (\d+)", manage(environment, "shell", stdin=SETUP))[1]
    log("migrated; organization tree, 3 members and a staff account created")

    logs = Path(tempfile.mkdtemp(prefix="alliance_two_instances_logs_"))
    processes = []
    try:
        port_a, port_b = free_port(), free_port()
        processes.append(start_gunicorn(port_a, environment, logs / "a.log"))
        processes.append(start_gunicorn(port_b, environment, logs / "b.log"))
        worker_log = (logs / "worker.log").open("ab")
        processes.append(
            subprocess.Popen(
                [PYTHON, "manage.py", "run_worker"],
                cwd=ROOT,
                env=environment,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        log(f"gunicorn A on {port_a}, B on {port_b}, one run_worker (rq); logs in {logs}")

        a, b = Session(port_a), Session(port_b)
        a.login("two_staff", PASSWORD, second_factor=RECOVERY_CODES[0])
        b.login("two_staff", PASSWORD, second_factor=RECOVERY_CODES[1])

        # 1–2. A change made through A shows on B's 首页 at once.
        before_b = figure(b, "established_branches")
        assert figure(a, "established_branches") == before_b
        assert figure(b, "established_branches") == before_b  # now cached on B's side too
        token = a.csrf_token(f"/branches/{extra_pk}/dissolve/")
        status, content, headers = a.request(
            "POST",
            f"/branches/{extra_pk}/dissolve/",
            {"dissolved_on": time.strftime("%Y-%m-%d"), "csrfmiddlewaretoken": token},
        )
        assert status == 302, f"dissolve answered {status}: {content[:2000]!r}"
        # At once when the figures are quick to compute (computed in B's request); when their
        # last computation took HOME_BACKGROUND_AFTER_SECONDS or more (a loaded machine), B
        # shows the last figures with their time and the worker, asked through Redis,
        # computes the new ones within seconds.
        deadline = time.monotonic() + 60
        readings = []
        while True:
            after_b = figure(b, "established_branches")
            readings.append(after_b)
            if int(after_b) == int(before_b) - 1 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        log(
            f"established branches on B: {before_b} before, {after_b} after the change on A"
            f" ({len(readings)} reading(s) of B's 首页)"
        )
        assert int(after_b) == int(before_b) - 1, (before_b, readings)

        # 3. An export asked on A runs on the worker and is downloaded from B.
        status, _content, headers = a.request("GET", "/members/export.xlsx")
        assert status == 302, f"export answered {status}"
        location = headers["Location"]
        job = re.search(r"/jobs/([0-9a-f-]{36})/", location)
        assert job, f"export redirected to {location}, not a job page"
        job_id = job[1]
        log(f"export on A → job {job_id}")
        deadline = time.monotonic() + 120
        state = {}
        while time.monotonic() < deadline:
            status, content, _headers = b.request("GET", f"/jobs/{job_id}/status/")
            assert status == 200, f"B's job status answered {status}"
            state = json.loads(content)
            if state.get("status") in {"done", "failed"}:
                break
            time.sleep(0.5)
        log(f"job state seen on B: {state}")
        assert state.get("status") == "done", state
        status, content, headers = b.request("GET", f"/jobs/{job_id}/download/")
        assert status == 200, f"B's download answered {status}"
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        assert state["rows_done"] == 3, state  # the three members
        assert len(rows) >= 4, rows  # a header and the three members
        log(f"downloaded from B: {len(content)} bytes, {len(rows)} rows in the first sheet")
        log("OK: two instances share the 首页 invalidation and the jobs")
        return 0
    finally:
        for process in reversed(processes):
            stop(process)
        shared_cache.flushdb()


if __name__ == "__main__":
    sys.exit(main())
