"""Each page of issue 17 at scale, as a ratio to a floor measured in the same run.

    .venv/bin/python bench/pages.py --database postgres://postgres@127.0.0.1:5432/alliance_scale50 --rounds 7

Starts gunicorn (gunicorn.conf.py, WEB_CONCURRENCY=2, DEBUG off) with bench/settings_floor.py —
the portal's settings and URLs plus /__floor__/, a bare template of 50 rows that is never part
of the portal — logs in as bureau staff (`bureau`) and a secretary (`secretary`), takes the
cold 首页 first, then requests every page and the floor interleaved for several rounds, and
prints per page: median and p99 in ms, their ratios to the floor's, and the page size.
The database is only read (sessions and the login log aside).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from serving import (
    ROOT,
    Session,
    bench_second_factor,
    collectstatic,
    free_port,
    serving_environment,
    start_gunicorn,
    stop,
)

FLOOR = "/__floor__/"
PASSWORD = "alliance-demo"


def pages_for(database_url: str, username: str) -> dict[str, str]:
    with psycopg.connect(database_url) as connection:
        root = connection.execute(
            "SELECT id FROM branches_organization WHERE parent_id IS NULL ORDER BY id LIMIT 1"
        ).fetchone()[0]
        own = connection.execute(
            "SELECT organization_id FROM alliance_user WHERE username = %s", [username]
        ).fetchone()[0]
        branch = connection.execute(
            "SELECT o.id FROM branches_organization o, branches_organization s"
            " WHERE s.id = %s AND o.kind = 'branch' AND o.path LIKE s.path || '%%'"
            " ORDER BY o.id LIMIT 1",
            [own or root],
        ).fetchone()[0]
    return {
        "/branches/": "/branches/",
        "compliance board": "/activities/compliance/",
        "root organization": f"/branches/{own or root}/",
        "/activities/": "/activities/",
        "an organization": f"/branches/{branch}/",
        "/members/": "/members/",
        "首页 cached": "/",
    }


def timed(session: Session, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    status, content, _headers = session.request("GET", path)
    return (time.perf_counter() - started) * 1000, len(content), status


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    environment = serving_environment(
        args.database,
        DJANGO_SETTINGS_MODULE="settings_floor",
        PYTHONPATH=f"{ROOT / 'bench'}:{ROOT}",
        WEB_CONCURRENCY="2",
    )
    collectstatic(environment)
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench_pages_{port}.log"
    server = start_gunicorn(port, environment, log)
    try:
        load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        print(f"# {datetime.datetime.now():%Y-%m-%d %H:%M} · {load}")
        print("| user | page | median ms | p99 ms | median ÷ floor | p99 ÷ floor | KB | status |")
        print("|---|---|---|---|---|---|---|---|")
        for username in ("bureau", "secretary"):
            session = Session(port)
            session.login(
                username, PASSWORD, second_factor=bench_second_factor(environment, username)
            )
            cold, cold_size, cold_status = timed(session, "/")
            pages = pages_for(args.database, username)
            times: dict[str, list[float]] = {name: [] for name in [*pages, "floor"]}
            sizes: dict[str, int] = {}
            statuses: dict[str, int] = {}
            for round_number in range(args.rounds + 1):
                for name, path in [*pages.items(), ("floor", FLOOR)]:
                    elapsed, size, status = timed(session, path)
                    if round_number:  # round 0 warms each page (and the caches)
                        times[name].append(elapsed)
                    sizes[name], statuses[name] = size, status
                    elapsed, size, status = timed(session, FLOOR)  # interleaved floor
                    if round_number:
                        times["floor"].append(elapsed)
            floor_median = statistics.median(times["floor"])
            floor_p99 = p99(times["floor"])
            print(
                f"| {username} | 首页 cold (first request) | {cold:.0f} | | "
                f"{cold / floor_median:.1f}× | | {cold_size / 1024:.0f} | {cold_status} |"
            )
            for name, values in times.items():
                median, high = statistics.median(values), p99(values)
                print(
                    f"| {username} | {name} | {median:.1f} | {high:.1f} | "
                    f"{median / floor_median:.1f}× | {high / floor_p99:.1f}× | "
                    f"{sizes[name] / 1024:.0f} | {statuses[name]} |"
                )
            sys.stdout.flush()
    finally:
        stop(server)


if __name__ == "__main__":
    main()
