"""Roster page and roster export on 100,000 members: server time and export peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_bench_members \
        .venv/bin/python bench/members_bench.py [--members 100000] [--requests 50]

Builds the database when needed (migrate; the demo organizations through branches.demo; then
members in bulk until there are --members), or reuses it. Then, as bureau staff through
Django's test client: the roster page (median and 95th percentile over --requests requests,
for the plain roster and two filtered ones), and the unmasked export of all members (time and
peak memory). The export runs in a fresh child process so that its peak resident memory is
not blurred by the build: "extra peak" = peak RSS after the export − RSS just before it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

STAFF = "bench_staff"


def _setup():
    import django

    django.setup()


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def build(target: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from branches.models import Community, Kind, Organization
    from core.models import Role, User
    from home.management.commands.seed_demo import DemoContext
    from members.identity import make_id_number, pinyin_initials
    from members.models import Member, Skill

    if not Organization.objects.filter(kind=Kind.BRANCH).exists():
        from branches.demo import seed as seed_branches

        seed_branches(
            context=DemoContext(scale=1, stdout=sys.stdout, rng=random.Random(1), users={})
        )
    User.objects.get_or_create(username=STAFF, defaults={"role": Role.STAFF})
    have = Member.objects.count()
    if have >= target:
        print(f"reusing {have:,} members")
        _analyze()
        return
    rng = random.Random(100_000)
    organizations = list(Organization.objects.filter(kind__in=[Kind.BRANCH, Kind.GENERAL_BRANCH]))
    communities = list(Community.objects.exclude(name=""))
    skills = list(Skill.objects.all())
    used = set(Member.objects.values_list("id_number", flat=True))
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董"
    given = "建国军明华强伟志刚秀兰英玉珍桂芳淑凤丽萍"
    today = datetime.date.today()
    started = time.perf_counter()
    Through = Member.skills.through
    while have < target:
        batch = []
        for _ in range(min(5000, target - have)):
            gender = rng.choice(("male", "female"))
            born = today - datetime.timedelta(days=rng.randint(60 * 365, 98 * 365))
            while True:
                number = make_id_number("640104", born, rng.randint(0, 499), gender)
                if number not in used:
                    used.add(number)
                    break
            name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
            registered = rng.random() < 0.7
            batch.append(
                Member(
                    name=name,
                    name_initials=pinyin_initials(name),
                    gender=gender,
                    id_number=number,
                    birth_date=born,
                    category=rng.choice(("retired", "retired", "other")),
                    phone=f"139{rng.randint(0, 99_999_999):08d}",
                    organization=rng.choice(organizations),
                    registered_community=rng.choice(communities) if registered else None,
                    registered_on=datetime.date(2024, 1, 1) if registered else None,
                    willing_to_volunteer=rng.random() < 0.5,
                    confirmed_on=born + datetime.timedelta(days=365 * 25),
                )
            )
        Member.objects.bulk_create(batch, batch_size=2500)
        ids = list(
            Member.objects.filter(id_number__in=[m.id_number for m in batch]).values_list(
                "pk", flat=True
            )
        )
        Through.objects.bulk_create(
            [
                Through(member_id=pk, skill_id=rng.choice(skills).pk)
                for pk in ids
                if rng.random() < 0.45
            ],
            batch_size=5000,
        )
        have += len(batch)
    print(f"built {have:,} members in {time.perf_counter() - started:.1f} s")
    _analyze()


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (autovacuum would get there later)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure_roster(requests: int) -> None:
    from django.test import Client

    from core.models import User

    client = Client()
    client.force_login(User.objects.get(username=STAFF))
    for url in (
        "/members/",
        "/members/?aged_70=on&category=retired&registered=yes",
        "/members/?q=wjg&page=2",
    ):
        client.get(url)  # warm up
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        print(
            f"roster {url:<58} median {statistics.median(times):6.1f} ms   "
            f"p95 {p95:6.1f} ms   ({len(times)} requests)"
        )


def measure_export() -> None:
    from django.test import Client

    from core.models import User
    from members.models import Member

    client = Client()
    client.force_login(User.objects.get(username=STAFF))
    count = Member.objects.count()
    before = _rss_mb()
    started = time.perf_counter()
    response = client.get("/members/export.xlsx?unmasked=1")
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    print(
        f"export {count:,} members: {elapsed:.1f} s, {size / 1024 / 1024:.1f} MB file, "
        f"extra peak memory {_peak_mb() - before:.0f} MB (RSS before {before:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _setup()
    if args.export_only:
        measure_export()
        return
    build(args.members)
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    measure_roster(args.requests)
    subprocess.run([sys.executable, __file__, "--export-only"], check=True)


if __name__ == "__main__":
    main()
