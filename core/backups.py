"""Backups of the database and the media files, and their restore.

A backup is one directory under BACKUP_DIR, named by its time (``alliance-20261201-023000``):
- ``db.dump`` (PostgreSQL: ``pg_dump`` custom format) or ``db.sqlite3`` (SQLite: the online
  backup API, consistent while the portal runs);
- ``media.tar.gz``: the uploaded files (attachments, documents, job files) when they are on the
  file system (an S3 bucket keeps its own versions: see docs/deploy.md);
- ``manifest.json``: when, which engine, the row count of every table and the SHA-256 of every
  media file, all taken from the same snapshot as the dump, so a restore can be checked.

The directory is written under a ``.partial`` name and renamed when complete: a backup that was
interrupted is never mistaken for a good one (and is removed by the next run).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)

PREFIX = "alliance-"
PARTIAL = ".partial"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    created: datetime.datetime
    engine: str
    tables: dict[str, int]
    media: dict[str, str]

    @classmethod
    def read(cls, path: Path) -> Backup:
        try:
            data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(
                _("%(path)s is not a backup: %(error)s") % {"path": path, "error": exc}
            ) from exc
        return cls(
            path=path,
            created=datetime.datetime.fromisoformat(data["created"]),
            engine=data["engine"],
            tables=data["tables"],
            media=data["media"],
        )


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def _media_root() -> Path | None:
    """The media directory when files are on this machine's disk, else None (S3)."""
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_digests(root: Path | None) -> dict[str, str]:
    """Relative path → SHA-256 of every file under the media root."""
    if root is None or not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _quote(name: str) -> str:
    """A table name quoted for SQLite and PostgreSQL alike."""
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, quote, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env(params: dict) -> tuple[list[str], dict]:
    args = []
    if params.get("HOST"):
        args += ["-h", str(params["HOST"])]
    if params.get("PORT"):
        args += ["-p", str(params["PORT"])]
    if params.get("USER"):
        args += ["-U", str(params["USER"])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(program)s is not installed on this machine (PostgreSQL client tools).")
            % {"program": command[0]}
        ) from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": exc.stderr.strip()[-500:]}
        ) from exc


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump from a snapshot exported by a repeatable-read transaction, whose row counts
    therefore describe exactly the rows in the dump."""
    params = connection.settings_dict
    args, env = _pg_env(params)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts = _count_rows(cursor, connection.ops.quote_name, tables)
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target / 'db.dump'}",
                str(params["NAME"]),
            ],
            env,
        )
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    """SQLite's online backup API: a consistent copy while the portal keeps writing."""
    connection.ensure_connection()
    destination = sqlite3.connect(target / "db.sqlite3")
    try:
        connection.connection.backup(destination)
        cursor = destination.cursor()
        tables = [
            row[0]
            for row in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return _count_rows(cursor, _quote, tables)
    finally:
        destination.close()


def create_backup(*, now: datetime.datetime | None = None) -> Backup:
    """Write a complete backup (database, media, manifest) and prune old ones."""
    now = timezone.localtime(now or timezone.now())
    root = backup_dir()
    root.mkdir(parents=True, exist_ok=True)
    for leftover in root.glob(f"{PREFIX}*{PARTIAL}"):
        shutil.rmtree(leftover, ignore_errors=True)
    name = f"{PREFIX}{now:%Y%m%d-%H%M%S}"
    final = root / name
    if final.exists():
        raise BackupError(_("A backup named %(name)s already exists.") % {"name": name})
    partial = root / f"{name}{PARTIAL}"
    partial.mkdir()
    try:
        if connection.vendor == "postgresql":
            tables = _dump_postgresql(partial)
        elif connection.vendor == "sqlite":
            tables = _dump_sqlite(partial)
        else:  # pragma: no cover - the portal runs on these two only
            raise BackupError(_("Backups support PostgreSQL and SQLite only."))
        media_root = _media_root()
        media = media_digests(media_root)
        if media_root is not None and media:
            with tarfile.open(partial / "media.tar.gz", "w:gz") as archive:
                for relative in media:
                    archive.add(media_root / relative, arcname=relative)
        manifest = {
            "created": now.isoformat(),
            "engine": connection.vendor,
            "tables": tables,
            "media": media,
            "media_on_s3": media_root is None,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    logger.info("backup written: %s (%d tables, %d media files)", final, len(tables), len(media))
    prune_backups(now=now)
    return Backup.read(final)


def list_backups() -> list[Backup]:
    """Complete backups, newest first."""
    root = backup_dir()
    if not root.is_dir():
        return []
    found = [
        Backup.read(path)
        for path in root.iterdir()
        if path.is_dir() and path.name.startswith(PREFIX) and (path / MANIFEST).exists()
    ]
    return sorted(found, key=lambda backup: backup.created, reverse=True)


def prune_backups(
    *,
    now: datetime.datetime | None = None,
    keep: int | None = None,
    max_age_days: int | None = None,
) -> list[Path]:
    """Remove backups beyond the newest ``keep`` or older than ``max_age_days``; the newest
    backup is never removed. Returns what was removed."""
    now = now or timezone.now()
    keep = settings.BACKUP_KEEP if keep is None else keep
    max_age_days = settings.BACKUP_MAX_AGE_DAYS if max_age_days is None else max_age_days
    removed = []
    for index, backup in enumerate(list_backups()):
        if index == 0:
            continue
        too_many = index >= keep
        too_old = max_age_days > 0 and now - backup.created > datetime.timedelta(days=max_age_days)
        if too_many or too_old:
            shutil.rmtree(backup.path)
            removed.append(backup.path)
    return removed


def _sqlite_path(params: dict) -> str:
    return str(params["NAME"])


def target_is_empty(params: dict, vendor: str) -> bool:
    """True when the target database has no table holding a row (a new, migrated-or-not DB)."""
    counts = count_rows(params, vendor)
    return not any(counts.values())


def count_rows(params: dict, vendor: str) -> dict[str, int]:
    """Row count of every table of a database given by Django connection settings, through a
    connection of its own (the target of a restore is not Django's connection)."""
    if vendor == "sqlite":
        with sqlite3.connect(_sqlite_path(params)) as handle:
            cursor = handle.cursor()
            tables = [
                row[0]
                for row in cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return _count_rows(cursor, _quote, tables)
    conninfo = {
        key: value
        for key, value in {
            "dbname": params["NAME"],
            "host": params.get("HOST") or None,
            "port": params.get("PORT") or None,
            "user": params.get("USER") or None,
            "password": params.get("PASSWORD") or None,
        }.items()
        if value
    }
    with psycopg.connect(**conninfo) as handle, handle.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [row[0] for row in cursor.fetchall()]
        return _count_rows(cursor, _quote, tables)


def restore_backup(
    backup: Backup,
    *,
    params: dict | None = None,
    vendor: str | None = None,
    media_root: Path | None = None,
    force: bool = False,
) -> list[str]:
    """Restore ``backup`` into the database given by ``params`` (Django connection settings;
    the portal's own database by default) and the media files into ``media_root``. Refuses a
    target holding rows unless ``force``. Returns the differences from the manifest (empty when
    every table's row count and every media file match)."""
    params = params or connection.settings_dict
    vendor = vendor or connection.vendor
    if backup.engine != vendor:
        raise BackupError(
            _("This backup is of a %(engine)s database; the target is %(target)s.")
            % {"engine": backup.engine, "target": vendor}
        )
    if not force and not target_is_empty(params, vendor):
        raise BackupError(
            _(
                "The target database already holds data; restore into an empty database, or use --force to replace it."
            )
        )
    if params is connection.settings_dict:
        connection.close()
    if vendor == "postgresql":
        args, env = _pg_env(params)
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={params['NAME']}",
                str(backup.path / "db.dump"),
            ],
            env,
        )
    else:
        source = sqlite3.connect(backup.path / "db.sqlite3")
        destination = sqlite3.connect(_sqlite_path(params))
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
    if media_root is None:
        media_root = _media_root()
    archive = backup.path / "media.tar.gz"
    if media_root is not None and archive.exists():
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:gz") as handle:
            handle.extractall(media_root, filter="data")
    return compare(backup, params=params, vendor=vendor, media_root=media_root)


def compare(backup: Backup, *, params: dict, vendor: str, media_root: Path | None) -> list[str]:
    """What differs between a backup's manifest and a restored database and media root."""
    differences = []
    restored = count_rows(params, vendor)
    for table, expected in sorted(backup.tables.items()):
        found = restored.get(table)
        if found != expected:
            differences.append(f"{table}: {expected} → {found}")
    if media_root is not None:
        present = media_digests(media_root)
        for relative, digest in sorted(backup.media.items()):
            if present.get(relative) != digest:
                differences.append(f"media/{relative}")
    return differences


@task()
def backup_task() -> str:
    """The daily backup when BACKUP_AT schedules it in the job worker."""
    return str(create_backup().path)
