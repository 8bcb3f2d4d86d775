"""Read-only pages and exports answer only the safe methods: a POST (with a valid CSRF token)
is a 405, before any object is looked up or any permission asked.

Which URLs are read-only is derived, so that a new read-only view is covered without editing
this file: a class view that has a `get` and no `post`, `put`, `patch` or `delete` (pages,
lists, exports, downloads); a function view unless it is one of the few listed below that take
a POST on purpose.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.core.url_sweep import patterns, seeded, urls_for  # noqa: F401 (seeded: a fixture)

pytestmark = pytest.mark.django_db

WRITING_METHODS = ("post", "put", "patch", "delete")
# Function views that take a POST on purpose (module.name).
POSTING_FUNCTIONS = {
    "core.views.toggle_large_text",  # the large-text switch
    "core.auth_views.keep_alive",  # the idle notice's 继续使用
    "django.views.i18n.set_language",  # the language switch
}


def _is_read_only(entry) -> bool:
    view_class = getattr(entry.callback, "view_class", None)
    if view_class is None:
        callback = entry.callback
        name = f"{callback.__module__}.{callback.__name__}"
        return name not in POSTING_FUNCTIONS
    if not hasattr(view_class, "get") or "get" not in view_class.http_method_names:
        return False
    return not any(hasattr(view_class, method) for method in WRITING_METHODS)


def test_the_derivation_finds_pages_and_exports():
    read_only = {route for route, entry in patterns() if _is_read_only(entry)}
    for route in (
        "members/",
        "members/export.xlsx",
        "venues/stats/",
        "venues/stats/export.xlsx",
        "activities/attachments/<int:pk>/",
        "healthz",
    ):
        assert route in read_only, route
    for route in ("members/new/", "members/import/", "accounts/large-text/"):
        assert route not in read_only, route


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("username", ["bureau", "secretary"])
def test_read_only_urls_refuse_post(settings, username):
    from core.models import User

    settings.OTP_REQUIRED = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username=username))
    urls, _unreached = urls_for(client)
    client.get("/accounts/profile/")  # a form page: the CSRF cookie
    token = client.cookies["csrftoken"].value
    entries = dict(patterns())
    answered = []
    for route, url in sorted(urls.items()):
        if not _is_read_only(entries[route]):
            continue
        response = client.post(url, {"csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token)
        if response.status_code != 405:
            answered.append(f"{url}: {response.status_code}")
        else:
            assert "GET" in response["Allow"], url
    assert not answered, "\n".join(answered)
