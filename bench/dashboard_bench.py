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
    settings.OTP_REQUIRED = False  # force_login gives no second factor; the page is measured
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

    from branches.selectors import WARNINGS
    from home import cache as home_cache

    # The refresh a stale 首页 asks of the worker is not sent: the bench only reads.
    home_cache._refresh_later = lambda *args: None
    background = settings.HOME_BACKGROUND_AFTER_SECONDS

    def measure(prepare) -> tuple[float, int, bool]:
        prepare()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/")
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed * 1000, len(queries), "正在根据记录重新计算" in response.content.decode()

    def computed():  # nothing cached, everything computed in the request
        settings.HOME_BACKGROUND_AFTER_SECONDS = None
        cache.clear()

    def after_a_change():  # a member saved: the 首页's and the warnings' generations move on
        settings.HOME_BACKGROUND_AFTER_SECONDS = background
        client.get("/")
        home_cache.invalidate()
        WARNINGS.bump()

    def emptied_cache():  # a restarted process (memory cache) or an emptied Redis
        settings.HOME_BACKGROUND_AFTER_SECONDS = background
        cache.clear()

    def warm():
        settings.HOME_BACKGROUND_AFTER_SECONDS = background

    for label, prepare in (
        ("cold, computed in the request (background off)", computed),
        (f"cold after a change (background from {background} s)", after_a_change),
        ("cold after a restart / emptied cache", emptied_cache),
        ("warm (aggregates cached)", warm),
    ):
        results = [measure(prepare) for _ in range(args.runs)]
        times = [ms for ms, _q, _stale in results]
        stale = sum(1 for *_rest, was_stale in results if was_stale)
        print(
            f"staff 首页 {label}: median {statistics.median(times):.0f} ms, "
            f"max {max(times):.0f} ms, {results[-1][1]} queries, "
            f"{stale}/{args.runs} showing kept figures ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
