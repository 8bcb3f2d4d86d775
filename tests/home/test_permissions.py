"""Who may open the 首页, the reports page and the annual workbook: one table, every role."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "secretary", "other_secretary", "supervisor", "liaison", "viewer"]
FIXTURES = {
    "staff": "staff_user",
    "secretary": "secretary_user",
    "other_secretary": "other_secretary",
    "supervisor": "supervisor_user",
    "liaison": "liaison_user",
    "viewer": "viewer_user",
}
# page → expected status per role; anonymous is always sent to log in.
TABLE = {
    "home": dict.fromkeys(FIXTURES, 200),
    "reports": dict.fromkeys(FIXTURES, 200),
    "annual": {
        "staff": 200,
        "secretary": 403,
        "other_secretary": 403,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 200,
    },
    "annual_unknown_year": {
        "staff": 404,
        "secretary": 403,
        "other_secretary": 403,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 404,
    },
}


def url(page: str) -> str:
    year = timezone.localdate().year
    return {
        "home": reverse("home"),
        "reports": reverse("reports:index"),
        "annual": reverse("reports:annual", args=[year]),
        "annual_unknown_year": reverse("reports:annual", args=[1999]),
    }[page]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(TABLE))
def test_permission_table(client, request, org_tree, role, page):
    cache.clear()
    if role == "anonymous":
        response = client.get(url(page))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return
    client.force_login(request.getfixturevalue(FIXTURES[role]))
    assert client.get(url(page)).status_code == TABLE[page][role]


def test_read_only_pages_refuse_post(client, staff_user):
    client.force_login(staff_user)
    assert client.post(reverse("reports:index")).status_code == 405
    year = timezone.localdate().year
    assert client.post(reverse("reports:annual", args=[year])).status_code == 405
