"""The members export as a background job against raw openpyxl, on the same rows, in one run.

    DEBUG=true DATABASE_URL=sqlite:////tmp/jobs_bench.sqlite3 .venv/bin/python bench/export_job.py
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_scale50 \\
        .venv/bin/python bench/export_job.py

The database must hold the demo (`manage.py seed_demo [--scale N]`); this script only reads
it, plus one job row, one export-log row and one notification it adds (files go to a temporary
MEDIA_ROOT). It measures, for the unmasked roster of every member (a bureau staff account):

1. the request: GET /members/export.xlsx?unmasked=1 with the threshold at 0, so the export
   becomes a job (count query + job row + task sent to the database backend);
2. the worker: `manage.py run_worker --batch` writing the workbook through core.xlsx (labels,
   masking rules, skills per chunk, styles, progress every 1,000 rows) to storage;
3. raw openpyxl: the same members' plain columns read with one `values_list().iterator()` and
   appended to a write-only workbook, nothing else — the floor the old exporter stood on;
4. raw XlsxWriter: the same rows given to `write_row` of a constant_memory workbook (the
   options core.xlsx uses) — the floor of the exporter now.

It prints one line each and the ratios job / raw. Times are wall clock on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ["JOBS_BACKEND"] = "db"
os.environ["EXPORT_JOB_THRESHOLD"] = "0"  # every export is a job here
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="jobs_bench_media_")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="", help="a staff username (default: the first)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from openpyxl import Workbook
    from xlsxwriter import Workbook as XlsxWorkbook

    from core.models import Job, Role, User
    from core.xlsx import WORKBOOK_OPTIONS
    from members.exports import VALUE_FIELDS
    from members.selectors import members_for

    staff = (
        User.objects.get(username=args.user)
        if args.user
        else User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    )
    if staff is None:
        print("no bureau staff account: run `manage.py seed_demo` first", file=sys.stderr)
        return 1
    members = members_for(staff)
    count = members.count()
    print(f"{connection.vendor}, {count:,} members, as {staff.username}")

    client = Client()
    client.force_login(staff)
    started = time.perf_counter()
    response = client.get("/members/export.xlsx?unmasked=1")
    request_s = time.perf_counter() - started
    if response.status_code != 302:
        print(f"expected a redirect to the job page, got {response.status_code}", file=sys.stderr)
        return 1
    job = Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    print(f"request (job queued): {request_s:.2f} s → {response.url}")

    # What the job page shows while the worker runs: its status endpoint, read every 2 s from
    # another thread (its own database connection), as the page's script does.
    samples: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        watcher = Client()
        watcher.force_login(staff)
        while not stop.wait(2):
            state = watcher.get(f"/jobs/{job.pk}/status/").json()
            samples.append(f"{state['percent']}%")
        connection.close()

    watcher_thread = threading.Thread(target=watch)
    watcher_thread.start()
    started = time.perf_counter()
    try:
        call_command("run_worker", batch=True, no_schedule=True, verbosity=0)
    finally:
        stop.set()
        watcher_thread.join()
    worker_s = time.perf_counter() - started
    print("progress seen on the job page every 2 s: " + " → ".join(samples))
    job.refresh_from_db()
    size = job.file.size if job.file else 0
    print(
        f"job (worker run): {worker_s:.1f} s, status {job.status}, {job.rows_done:,} rows, "
        f"{size / 1024 / 1024:.1f} MB"
    )

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("raw")
    raw_rows = 0
    for values in (
        members.order_by("organization__path", "name", "pk")
        .values_list(*VALUE_FIELDS)
        .iterator(chunk_size=2000)
    ):
        sheet.append(values)
        raw_rows += 1
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
    raw_s = time.perf_counter() - started
    print(f"raw openpyxl write-only: {raw_s:.1f} s, {raw_rows:,} rows")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as spool:
        workbook = XlsxWorkbook(spool, WORKBOOK_OPTIONS)
        sheet = workbook.add_worksheet("raw")
        floor_rows = 0
        for values in (
            members.order_by("organization__path", "name", "pk")
            .values_list(*VALUE_FIELDS)
            .iterator(chunk_size=2000)
        ):
            floor_rows += 1
            sheet.write_row(floor_rows, 0, values)
        workbook.close()
    floor_s = time.perf_counter() - started
    print(f"raw XlsxWriter constant_memory: {floor_s:.1f} s, {floor_rows:,} rows")
    total_s = request_s + worker_s
    print(f"job (request + worker) / raw openpyxl: {total_s / raw_s:.2f}×")
    print(f"job (request + worker) / raw XlsxWriter: {total_s / floor_s:.2f}×")
    return 0 if job.status == Job.Status.DONE and job.rows_done == raw_rows == floor_rows else 1


if __name__ == "__main__":
    raise SystemExit(main())
