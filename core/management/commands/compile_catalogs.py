"""`manage.py compile_catalogs`: compile every .po catalog to .mo with polib."""

from django.core.management.base import BaseCommand

from core import i18n


class Command(BaseCommand):
    help = "Compile every .po catalog to .mo with polib (no GNU gettext needed)."
    # Runs without the system checks: it is the cure for core.E010 (a stale catalog).
    requires_system_checks = []

    def handle(self, *args, **options):
        for path in i18n.compile_all():
            self.stdout.write(f"compiled {path}")
