"""The ground floor's pages for every role: login, the 大字 switch, the language switch, the
password change, the 404 for signed-in users and the login redirect for anonymous ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FIXTURES = ["staff_user", "secretary_user", "supervisor_user", "liaison_user", "viewer_user"]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_role_has_the_account_pages(client, request, fixture):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    response = client.post(reverse("toggle_large_text"), {"next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.large_text
    assert client.get(reverse("toggle_large_text")).status_code == 405


def test_anonymous_is_sent_to_log_in_everywhere_but_the_login_and_language_pages(client):
    for path in (reverse("password_change"), "/no-such-page/", reverse("home")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
