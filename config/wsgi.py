"""WSGI entry point (gunicorn: `gunicorn -c gunicorn.conf.py config.wsgi`).

Stale message catalogs are compiled before the application loads, so any WSGI server started
without `make` still shows the portal in Chinese (gunicorn's `on_starting` hook has usually
done it already, once, in the master process).
"""

import os

from django.core.wsgi import get_wsgi_application

from core import i18n
from core.checks import stale_catalogs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if stale_catalogs():
    i18n.compile_all()
application = get_wsgi_application()
