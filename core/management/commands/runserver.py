"""`manage.py runserver`, compiling stale message catalogs first.

Without this a plain `runserver` on a fresh checkout (the .mo files are not in git) shows the
portal in English, and the core.E010 check would refuse to start. core is listed before
whitenoise.runserver_nostatic in INSTALLED_APPS, so this command wraps whitenoise's, which
wraps staticfiles' (static files stay with whitenoise).
"""

from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhitenoiseRunserverCommand,
)

from core import i18n
from core.checks import stale_catalogs


class Command(WhitenoiseRunserverCommand):
    def handle(self, *args, **options):
        if stale_catalogs():
            for path in i18n.compile_all():
                self.stdout.write(f"compiled {path}")
        super().handle(*args, **options)
