"""`manage.py restore BACKUP_DIR [--database-url URL] [--media-root DIR] [--force]`.

Restores a backup made by `manage.py backup` into the portal's database (or the one that
--database-url names) and the media files, then compares every table's row count and every
media file with the backup's manifest and fails if anything differs. Refuses a database that
already holds rows unless --force (which replaces its contents).
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from core.backups import Backup, BackupError, list_backups, restore_backup

VENDORS = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}


class Command(BaseCommand):
    help = "Restore a backup (database and media files) and check it against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="a backup directory, or 'latest'")
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument("--media-root", help="restore the media files here instead")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds data"
        )

    def handle(self, *args, backup: str, database_url, media_root, force: bool, **options):
        with translation.override(settings.LANGUAGE_CODE):
            if backup == "latest":
                found = list_backups()
                if not found:
                    raise CommandError(_("There is no backup yet."))
                chosen = found[0]
            else:
                try:
                    chosen = Backup.read(Path(backup))
                except BackupError as exc:
                    raise CommandError(str(exc)) from exc
            params = vendor = None
            if database_url:
                params = environ.Env.db_url_config(database_url)
                vendor = VENDORS.get(params["ENGINE"])
                if vendor is None:
                    raise CommandError(_("Only PostgreSQL and SQLite databases can be restored."))
            try:
                differences = restore_backup(
                    chosen,
                    params=params,
                    vendor=vendor,
                    media_root=Path(media_root) if media_root else None,
                    force=force,
                )
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            if differences:
                raise CommandError(
                    _("Restored, but it differs from the backup: %(list)s")
                    % {"list": "; ".join(differences[:20])}
                )
            self.stdout.write(
                _("Restored %(path)s: %(tables)d tables and %(files)d files match the backup.")
                % {
                    "path": chosen.path,
                    "tables": len(chosen.tables),
                    "files": len(chosen.media),
                }
            )
