"""`manage.py backup` and `restore`: the demo database and its media files, backed up,
restored into an empty database, and compared table by table and file by file."""

from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.backups import (
    MANIFEST,
    PARTIAL,
    PREFIX,
    count_rows,
    create_backup,
    list_backups,
    media_digests,
    prune_backups,
)
from members.models import Member
from tests.factories import make_org_tree

pytestmark = pytest.mark.django_db(transaction=True)

ORG_TABLE = "branches_organization"


def _source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return settings


@pytest.fixture
def empty_target(tmp_path):
    """An empty database of the suite's engine, and its URL."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield {"NAME": str(path)}, f"sqlite:///{path}"
        return
    params = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:10]}"
    server = {
        key: value
        for key, value in {
            "host": params.get("HOST"),
            "port": params.get("PORT"),
            "user": params.get("USER"),
            "password": params.get("PASSWORD"),
        }.items()
        if value
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as handle:
        handle.execute(f'CREATE DATABASE "{name}"')
    user = params.get("USER") or ""
    auth = f"{user}:{params['PASSWORD']}@" if params.get("PASSWORD") else f"{user}@"
    url = (
        f"postgres://{auth}{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}/{name}"
    )
    try:
        yield {**{k.upper(): v for k, v in server.items()}, "NAME": name}, url
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as handle:
            handle.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_demo_database_backs_up_and_restores_into_an_empty_one(
    backup_settings, empty_target, tmp_path
):
    call_command("seed_demo", "--force", verbosity=0)
    default_storage.save("attachments/2026/minutes.pdf", ContentFile(b"%PDF-1.4 minutes"))
    default_storage.save("documents/2026/通知.docx", ContentFile(b"PK\x03\x04 a notice"))
    source = _source_counts()
    assert source[Member._meta.db_table] > 5000  # the demo, not an empty database

    call_command("backup", verbosity=0)
    (backup,) = list_backups()
    assert backup.tables == source
    assert set(backup.media) == {"attachments/2026/minutes.pdf", "documents/2026/通知.docx"}

    params, url = empty_target
    restored_media = tmp_path / "restored-media"
    call_command(
        "restore", str(backup.path), "--database-url", url, "--media-root", str(restored_media)
    )
    vendor = connection.vendor
    assert count_rows(params, vendor) == source
    assert media_digests(restored_media) == media_digests(Path(backup_settings.MEDIA_ROOT))

    # A second restore into the now-full database is refused unless forced.
    with pytest.raises(CommandError, match="已有数据|already holds data"):
        call_command(
            "restore", str(backup.path), "--database-url", url, "--media-root", str(restored_media)
        )


def test_a_restore_that_differs_from_the_manifest_fails(backup_settings, empty_target, tmp_path):
    make_org_tree()
    backup = create_backup()
    manifest = json.loads((backup.path / MANIFEST).read_text())
    manifest["tables"][ORG_TABLE] += 1  # as if a row had been lost on the way
    (backup.path / MANIFEST).write_text(json.dumps(manifest))
    _, url = empty_target
    with pytest.raises(CommandError, match=ORG_TABLE):
        call_command(
            "restore", str(backup.path), "--database-url", url, "--media-root", str(tmp_path / "m")
        )


def test_retention_keeps_the_newest_by_count_and_age(backup_settings):
    now = timezone.now()
    for days_ago in (0, 1, 2, 3, 40, 100):
        create_backup(now=now - datetime.timedelta(days=days_ago))
    assert len(list_backups()) == 6  # within the defaults (14 backups, 90 days)
    removed = prune_backups(now=now, keep=3, max_age_days=30)
    kept = [backup.created.date() for backup in list_backups()]
    assert kept == [(now - datetime.timedelta(days=d)).astimezone().date() for d in (0, 1, 2)]
    assert len(removed) == 3
    # The newest is kept even when everything is past its age.
    prune_backups(now=now + datetime.timedelta(days=1000), keep=1, max_age_days=1)
    assert len(list_backups()) == 1


def test_an_interrupted_backup_is_never_listed_and_is_cleared(backup_settings):
    root = Path(backup_settings.BACKUP_DIR)
    leftover = root / f"{PREFIX}20260101-000000{PARTIAL}"
    leftover.mkdir(parents=True)
    (leftover / "db.dump").write_bytes(b"half")
    assert list_backups() == []
    create_backup()
    assert not leftover.exists()
    assert len(list_backups()) == 1


def test_restore_refuses_something_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="不是备份|not a backup"):
        call_command("restore", str(tmp_path))
