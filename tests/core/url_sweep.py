"""What the URL sweeps share (tests/core/test_fuzz_get_params.py, test_safe_methods.py): every
URL pattern of the portal, and a concrete path for each, found by crawling the demo data.

The crawl starts from every pattern that takes no argument and follows the links and form
actions of the pages it reaches, so a page about an object is reached with an object that
exists and that the user may see; a pattern the crawl cannot reach gets pk 1.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import Resolver404, get_resolver, resolve
from django.urls.resolvers import URLPattern, URLResolver

SKIPPED_PREFIXES = ("admin/",)  # Django's admin and django-rq's dashboard: not the portal's code
LINK = re.compile(r'(?:href|action)="(/[^"#]*)"')


def patterns() -> list[tuple[str, URLPattern]]:
    """(route, pattern) of every URL the portal answers, admin aside."""

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern), entry

    return [
        (route, entry)
        for route, entry in walk(get_resolver())
        if not route.startswith(SKIPPED_PREFIXES)
    ]


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def crawl(client) -> dict[str, str]:
    """route → one concrete path, found by following the pages' links and form actions."""
    found: dict[str, str] = {}
    queue = []
    for route, _entry in patterns():
        if "<" not in route and "(" not in route and "^" not in route:
            found[route] = "/" + route
            queue.append("/" + route)
    seen = set()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            with transaction.atomic():
                response = client.get(path)
                transaction.set_rollback(True)
        except Exception:  # the sweeps request every page again and report a crash
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            target = urlsplit(html.unescape(link)).path
            route = route_of(target)
            if route is None or route in found or route.startswith(SKIPPED_PREFIXES):
                continue
            found[route] = target
            queue.append(target)
    return found


def fill(route: str) -> str:
    """A path for a route the crawl did not reach: pk 1, a word for a string."""
    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<[^>]+>", "x", path)
    return "/" + path


def urls_for(client) -> tuple[dict[str, str], list[str]]:
    """(route → path for every pattern, the routes the crawl did not reach)."""
    found = crawl(client)
    urls = {route: found.get(route) or fill(route) for route, _entry in patterns()}
    return urls, sorted(route for route in urls if route not in found)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo data (seed_demo) for a module, rolled back after it."""
    from django.conf import settings

    with django_db_blocker.unblock(), transaction.atomic():
        debug, settings.DEBUG = settings.DEBUG, True
        try:
            call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        finally:
            settings.DEBUG = debug
        yield
        transaction.set_rollback(True)
