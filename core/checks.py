"""System checks of the portal (`manage.py check`, runserver, `check --deploy`).

core.E010: every message catalog is compiled and current. Without its .mo file Django falls
back to the English source strings, silently, and the portal shows in English to people who
read Chinese. `make`, `manage.py runserver` (core's command), gunicorn's `on_starting` hook
and config/wsgi.py compile stale catalogs before serving; this check names what is left.
"""

from __future__ import annotations

from pathlib import Path

from django.core import checks

from core import i18n


def stale_catalogs() -> list[Path]:
    """The .po files whose .mo is missing or older than the .po."""
    stale = []
    for catalog in i18n.catalogs():
        po_path = catalog.po_path
        if not po_path.exists():
            continue
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            stale.append(po_path)
    return stale


@checks.register(checks.Tags.translation)
def check_catalogs_compiled(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for po_path in stale_catalogs():
        relative = po_path.relative_to(i18n.BASE_DIR)
        mo_path = po_path.with_suffix(".mo")
        problem = "is missing" if not mo_path.exists() else "is older than its .po"
        errors.append(
            checks.Error(
                f"The compiled message catalog for {relative} {problem}; "
                "the portal would show English text.",
                hint="Run `python manage.py compile_catalogs` (make, runserver and gunicorn "
                "do it before serving).",
                obj=str(relative),
                id="core.E010",
            )
        )
    return errors
