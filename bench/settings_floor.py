"""The portal's settings plus a floor page for bench/pages.py: /__floor__/ renders 50 rows
through a bare template. Selected only by the bench (DJANGO_SETTINGS_MODULE=settings_floor
with bench/ on the path); the portal's own URLs never include it."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405
