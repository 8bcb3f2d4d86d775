"""`manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]`: send the day's reminders.

Idempotent: a reminder already in a recipient's inbox (same key) is not sent again. With
--dry-run nothing is written; the command lists what it would send.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the day's reminders as notifications (inbox, email, text message)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be sent, send nothing"
        )
        parser.add_argument("--date", help="compute the reminders of this day (YYYY-MM-DD)")

    def handle(self, *args, dry_run: bool, date: str | None, **options):
        with translation.override(settings.LANGUAGE_CODE):
            today = self._day(date)
            summaries = send_reminders(today=today, dry_run=dry_run)
            if dry_run:
                self.stdout.write(
                    _("Reminders of %(day)s (dry run: nothing sent)") % {"day": today}
                )
            else:
                self.stdout.write(_("Reminders of %(day)s") % {"day": today})
            total = 0
            for summary in summaries.values():
                total += summary.notifications
                line = _("%(label)s: %(reminders)s reminders, %(new)s new notifications") % {
                    "label": summary.label,
                    "reminders": summary.reminders,
                    "new": summary.notifications,
                }
                if summary.without_recipient:
                    line += _(" (%(n)s with nobody to receive them)") % {
                        "n": summary.without_recipient
                    }
                self.stdout.write(line)
                if dry_run:
                    for reminder, users in summary.items:
                        names = "、".join(str(user) for user in users)
                        self.stdout.write(f"  - {reminder.title} → {names}  {reminder.url}")
            if dry_run:
                self.stdout.write(_("In all %(n)s notifications would be sent.") % {"n": total})
            else:
                self.stdout.write(_("In all %(n)s new notifications.") % {"n": total})

    @staticmethod
    def _day(value: str | None) -> datetime.date:
        if not value:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("--date must be a day written YYYY-MM-DD, not %(value)r.") % {"value": value}
            ) from None
