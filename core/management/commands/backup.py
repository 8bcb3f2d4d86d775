"""`manage.py backup [--list] [--prune-only]`: back up the database and the media files.

Writes one directory under BACKUP_DIR (see core/backups.py for its contents), then removes
backups beyond BACKUP_KEEP or older than BACKUP_MAX_AGE_DAYS (the newest is always kept).
Run it daily (cron, a systemd timer, or BACKUP_AT for the job worker): docs/deploy.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from core.backups import BackupError, create_backup, list_backups, prune_backups


class Command(BaseCommand):
    help = "Back up the database and the media files (and prune old backups)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="list the backups, newest first")
        parser.add_argument(
            "--prune-only", action="store_true", help="only remove backups past retention"
        )

    def handle(self, *args, list: bool, prune_only: bool, **options):
        with translation.override(settings.LANGUAGE_CODE):
            if list:
                for backup in list_backups():
                    rows = sum(backup.tables.values())
                    self.stdout.write(
                        f"{backup.path}\t{backup.created:%Y-%m-%d %H:%M}\t{backup.engine}\t"
                        + _("%(rows)d rows, %(files)d files")
                        % {"rows": rows, "files": len(backup.media)}
                    )
                return
            if prune_only:
                for path in prune_backups():
                    self.stdout.write(_("removed %(path)s") % {"path": path})
                return
            try:
                backup = create_backup()
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                _("Backup written: %(path)s (%(tables)d tables, %(rows)d rows, %(files)d files)")
                % {
                    "path": backup.path,
                    "tables": len(backup.tables),
                    "rows": sum(backup.tables.values()),
                    "files": len(backup.media),
                }
            )
