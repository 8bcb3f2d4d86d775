"""Measure the staff 首页 render: queries and time, cold (aggregates computed) and warm (cached).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_bench_dashboard DEBUG=true \
        .venv/bin/python bench/dashboard_bench.py --seed --scale 50

`--seed` migrates and runs `seed_demo --scale N` first (skip it to reuse the database).
Prints one line per measurement; the figures go into README's benchmark table.
"""

from __future__ import annotations

import argparse
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
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.seed:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", scale=args.scale, force=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # planner statistics after the bulk load
        print(f"seed_demo --scale {args.scale}: {time.perf_counter() - started:.1f} s")

    from branches.models import Organization
    from core.models import User
    from members.models import Member

    print(
        f"database {connection.vendor}: {Organization.objects.count()} organizations, "
        f"{Member.objects.count()} members"
    )
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    client.get("/")  # warm up the connection, templates, translations

    def measure(clear: bool) -> tuple[float, int]:
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/")
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed * 1000, len(queries)

    for label, clear in (("cold (aggregates computed)", True), ("warm (aggregates cached)", False)):
        results = [measure(clear) for _ in range(args.runs)]
        times = [ms for ms, _q in results]
        print(
            f"staff 首页 {label}: median {statistics.median(times):.0f} ms, "
            f"max {max(times):.0f} ms, {results[-1][1]} queries ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
