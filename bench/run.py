"""Run every benchmark in bench/ (`make bench`), each on a database of its own.

    .venv/bin/python bench/run.py                      # SQLite files in /tmp, scale 1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance \\
        .venv/bin/python bench/run.py --scale 50 --only dashboard

A benchmark never touches the database it is run from: DATABASE_URL only says which engine
(and server) to use. Each `bench/<name>_bench.py` gets `alliance_bench_<name>` (a PostgreSQL
database created when missing, or /tmp/alliance_bench_<name>.sqlite3), is told to migrate and
seed it (`--seed`; seed_demo is idempotent, so a second run reuses the data), and prints its
own figures. See bench/README.md for what each one measures and the figures recorded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

# the benchmarks that seed the demo data themselves (they take --seed and --scale)
SEEDED = {"dashboard", "activities"}


def _database_for(name: str, base: str) -> str:
    if not base or base.startswith("sqlite"):
        return f"sqlite:////tmp/alliance_bench_{name}.sqlite3"
    parts = urlsplit(base)
    database = f"alliance_bench_{name}"
    _create_postgres_database(parts, database)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _create_postgres_database(parts, database: str) -> None:
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="seed_demo --scale for seeded ones")
    parser.add_argument("--only", action="append", help="run only this one (repeatable)")
    parser.add_argument("--members", type=int, help="members_bench --members (default 100,000)")
    args = parser.parse_args()

    scripts = sorted(BENCH.glob("*_bench.py"))
    names = [path.name.removesuffix("_bench.py") for path in scripts]
    if args.only:
        unknown = set(args.only) - set(names)
        if unknown:
            parser.error(f"no such benchmark: {', '.join(sorted(unknown))} (have {names})")
    failed = []
    for path, name in zip(scripts, names, strict=True):
        if args.only and name not in args.only:
            continue
        env = dict(os.environ)
        env.setdefault("DEBUG", "true")
        env["DATABASE_URL"] = _database_for(name, os.environ.get("DATABASE_URL", ""))
        command = [sys.executable, str(path)]
        if name in SEEDED:
            command += ["--seed", "--scale", str(args.scale)]
        if name == "members" and args.members:
            command += ["--members", str(args.members)]
        print(f"== {name}: {' '.join(command[1:])}  [{env['DATABASE_URL']}]", flush=True)
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)
        print(f"== {name}: exit {result.returncode}, {time.perf_counter() - started:.0f} s")
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
