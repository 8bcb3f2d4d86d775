"""A database made by the previous release (before the house: the user model in `alliance`, the
registry in `branches`) migrates to the new schema and keeps every row.

The previous release's code is kept beside this test (`data/previous-release-cab7fdd.tar.gz`,
made with `git archive cab7fdd --format=tar.gz -- ':!static' ':!tests' ':!bench'
':!README.md' ':!*.po'`), so the test needs no git history. It is seeded through its own
`seed_demo` steps in a subprocess, then this checkout's `migrate` runs on the same database.
Every table's row count is compared before and after, and the new code reads the moved records
back through its models. Runs on the database the suite runs on (SQLite file or PostgreSQL).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
# The last release with the previous schema (main at cab7fdd, before the house, issue #12).
PREVIOUS_RELEASE = Path(__file__).resolve().parent / "data" / "previous-release-cab7fdd.tar.gz"

# Run inside the previous release: seed the steps whose tables move or change owner (accounts,
# the organization tree and registry, members, community coordination), and write what no seed
# step writes (export log rows, a registry change with history).
SEED_PREVIOUS = """
import io, random, django
django.setup()
from django.db import transaction
from alliance import demo as accounts, community_demo
from alliance.management.commands.seed_demo import DemoContext
from alliance.models import ExportLog, User
from alliance.services import export_log_record
from branches import demo as branches_demo, services as branch_services
from branches.models import AllianceMembership
from members import demo as members_demo
import datetime
context = DemoContext(scale=1, stdout=io.StringIO(), rng=random.Random(20220901))
for step in (accounts.seed_accounts, branches_demo.seed, members_demo.seed, community_demo.seed):
    with transaction.atomic():
        step(context=context)
staff = User.objects.get(username="bureau")
for n in range(3):
    export_log_record(user=staff, export="members", query={"n": n}, rows=n)
membership = AllianceMembership.objects.filter(left_on__isnull=True).order_by("pk").first()
branch_services.alliance_leave(
    membership=membership, acting_user=staff, left_on=membership.joined_on + datetime.timedelta(1)
)
"""

# Run inside this checkout after `migrate`: read the moved records through the new models.
READ_BACK = """
import json, django
django.setup()
from alliance.models import AllianceMembership, AnnualTarget, Need
from core.models import ExportLog, User
from django.contrib.contenttypes.models import ContentType
print(json.dumps({
    "users": User.objects.count(),
    "bureau_role": User.objects.get(username="bureau").role,
    "export_log": ExportLog.objects.count(),
    "memberships": AllianceMembership.objects.count(),
    "membership_history": AllianceMembership.history.count(),
    "targets": AnnualTarget.objects.count(),
    "target_history": AnnualTarget.history.count(),
    "needs": Need.objects.count(),
    "user_type": list(ContentType.objects.filter(model="user").values_list("app_label", flat=True)),
    "registry_type": list(
        ContentType.objects.filter(model="alliancemembership").values_list("app_label", flat=True)
    ),
}))
"""


def _database(tmp_path: Path) -> tuple[str, dict]:
    """A new, empty database of the suite's kind: its URL, and how to reach it directly."""
    if connection.vendor == "sqlite":
        path = tmp_path / "previous.sqlite3"
        return f"sqlite:///{path}", {"sqlite": path}
    settings = connection.settings_dict
    name = f"alliance_previous_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    url = f"postgres://{user}{password}@{host}:{port}/{name}"
    return url, {"postgres": name, "url": url}


# Tables a migration since that release replaced: old table → its successor.
REPLACED_TABLES = {"assessment_itemscore_deductions": "assessment_applieddeduction"}


def _drop(database: dict) -> None:
    if "postgres" in database:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database["postgres"]}" WITH (FORCE)')


def _row_counts(database: dict) -> dict[str, int]:
    if "sqlite" in database:
        with sqlite3.connect(database["sqlite"]) as db:
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    with psycopg.connect(database["url"]) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _run(args: list[str], *, cwd: Path, url: str, settings: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "true",
        "SECRET_KEY": "migration-test",
        "ALLIANCE_IGNORE_DOTENV": "true",
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"{' '.join(args[:2])} failed:\n{result.stderr[-4000:]}"
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_release_migrates_and_keeps_every_row(tmp_path):
    previous = tmp_path / "previous"
    previous.mkdir()
    with tarfile.open(PREVIOUS_RELEASE) as tar:
        tar.extractall(previous, filter="data")
    (previous / "static").mkdir()  # left out of the archive; settings name it

    url, database = _database(tmp_path)
    try:
        _run(
            ["manage.py", "migrate", "--noinput"],
            cwd=previous,
            url=url,
            settings="alliance.settings",
        )
        _run(["-c", SEED_PREVIOUS], cwd=previous, url=url, settings="alliance.settings")
        before = _row_counts(database)
        assert before["alliance_user"] >= 5 and before["alliance_exportlog"] == 3
        assert before["branches_alliancemembership"] >= 135
        assert before["branches_historicalalliancemembership"] >= 1

        _run(["manage.py", "migrate", "--noinput"], cwd=REPO, url=url, settings="config.settings")
        after = _row_counts(database)

        # Every table keeps every row; only the migration ledger grows. Tables new since that
        # release (jobs, notifications, the task queue) start empty.
        # A table a migration replaced hands every row to its successor: the ticked deductions
        # of a score became applied deductions (assessment 0004, one per tick; its own test,
        # tests/assessment/test_migration_rubrics.py, migrates ticked scores).
        for old_table, new_table in REPLACED_TABLES.items():
            assert old_table not in after
            assert after[new_table] == before[old_table], (old_table, new_table)
            after[old_table] = before[old_table]
            before[new_table] = after[new_table]
        assert set(before) <= set(after)
        added = {table: after[table] for table in set(after) - set(before)}
        assert all(count == 0 for count in added.values()), added
        after = {table: after[table] for table in before}
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        # The ledgers of migrations, content types and permissions grow with the new models;
        # nothing else changes, and nothing shrinks.
        assert set(changed) <= {"django_migrations", "django_content_type", "auth_permission"}
        assert "django_migrations" in changed, changed
        assert all(new > old for old, new in changed.values()), changed
        assert after["django_migrations"] > before["django_migrations"]

        read = json.loads(
            _run(["-c", READ_BACK], cwd=REPO, url=url, settings="config.settings").strip()
        )
        assert read == {
            "users": before["alliance_user"],
            "bureau_role": "staff",
            "export_log": before["alliance_exportlog"],
            "memberships": before["branches_alliancemembership"],
            "membership_history": before["branches_historicalalliancemembership"],
            "targets": before["branches_annualtarget"],
            "target_history": before["branches_historicalannualtarget"],
            "needs": before["alliance_need"],
            "user_type": ["core"],
            "registry_type": ["alliance"],
        }
        # The schema the new code expects is complete: nothing left to migrate.
        _run(
            ["manage.py", "makemigrations", "--check", "--dry-run"],
            cwd=REPO,
            url=url,
            settings="config.settings",
        )
    finally:
        _drop(database)
