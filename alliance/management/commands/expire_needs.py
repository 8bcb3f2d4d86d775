"""Store the expired state of open needs past their wanted-by date (e.g. a nightly cron job).

The boards already read such needs as expired; this makes it permanent, so exports and counts
over the stored state agree with what the boards show.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from alliance.services import needs_expire


class Command(BaseCommand):
    help = "Mark open community needs past their wanted-by date as expired; prints how many."

    def handle(self, *args, **options):
        expired = needs_expire()
        self.stdout.write(f"expire_needs: {expired} need(s) expired")
