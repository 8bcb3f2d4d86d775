"""Measure the activity list (/activities/) and the activity ledger export: time and queries.

    DATABASE_URL=sqlite:////tmp/alliance_bench_activities.sqlite3 DEBUG=true \\
        .venv/bin/python bench/activities_bench.py --seed

`--seed` migrates and runs `seed_demo --scale N` first (skip it to reuse the database).
As bureau staff through Django's test client: the list page (first page and a filtered one,
median of --runs), the ledger export of every activity and of one year. Prints one line each.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed_demo first")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--user", default="bureau")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.seed:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", scale=args.scale, force=True, stdout=io.StringIO())
        print(f"seed_demo --scale {args.scale}: {time.perf_counter() - started:.1f} s")

    from activities.models import Activity
    from core.models import User

    total = Activity.objects.count()
    print(f"database {connection.vendor}: {total} activities")
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    client.get("/activities/")  # warm up the connection, templates, translations
    year = timezone.localdate().year

    def measure(url: str, runs: int) -> None:
        results = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                body = b"".join(response) if response.streaming else response.content
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            results.append((elapsed, len(queries), len(body)))
        times = [ms for ms, _q, _b in results]
        print(
            f"{url}: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms, "
            f"{results[-1][1]} queries, {results[-1][2] / 1024:.0f} KiB ({runs} runs)"
        )

    measure("/activities/", args.runs)
    measure("/activities/?type=committee_meeting&page=3", args.runs)
    measure(f"/activities/export/ledger.xlsx?year={year}", max(1, args.runs // 2))
    measure("/activities/export/ledger.xlsx", max(1, args.runs // 2))


if __name__ == "__main__":
    main()
