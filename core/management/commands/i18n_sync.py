"""`manage.py i18n_sync [apps] [--fill f.json]`: add new source strings to the catalogs."""

import json

from django.core.management.base import BaseCommand

from core import i18n


class Command(BaseCommand):
    help = (
        "Add new source strings to each app's zh_Hans catalog and list what is untranslated. "
        "With --fill FILE.json ({msgid: translation}), fill empty translations first."
    )
    # Runs without the system checks: it edits the .po files core.E010 compares.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="catalogs to sync (default: all)")
        parser.add_argument("--fill", help="a JSON object of msgid → Chinese translation")

    def handle(self, *args, **options):
        wanted = set(options["apps"])
        translations = {}
        if options["fill"]:
            with open(options["fill"], encoding="utf-8") as handle:
                translations = json.load(handle)
        for catalog in i18n.catalogs():
            if wanted and catalog.name not in wanted:
                continue
            added, untranslated = i18n.sync(catalog, translations)
            self.stdout.write(f"{catalog.po_path}: {added} added, {untranslated} untranslated")
            for problem in i18n.problems(catalog):
                self.stdout.write(f"  {problem}")
