"""A hostile ?year= (or a filter that does not validate) gets the current year, never a 500,
on every page and export that reads a year."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.params import year_param

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2024", 2024),
        (" 2025 ", 2025),
        (str(THIS_YEAR + 1), THIS_YEAR + 1),
        (str(THIS_YEAR + 2), THIS_YEAR),
        ("0", THIS_YEAR),
        ("-1", THIS_YEAR),
        ("1999", THIS_YEAR),
        ("99999999999", THIS_YEAR),
        ("abc", THIS_YEAR),
        ("", THIS_YEAR),
    ],
)
def test_year_param(value, expected):
    assert year_param({"year": value}) == expected


def test_year_param_with_a_later_bound():
    assert year_param({"year": "2090"}, latest=2100) == 2090
    assert year_param({}) == THIS_YEAR


@pytest.mark.parametrize(
    "url",
    [
        "/members/care/summary/",
        "/members/dues/",
        "/members/care/export.xlsx",
        "/members/dues/export.xlsx",
        "/activities/points/",
        "/activities/points/export.xlsx",
        "/branches/funds/",
        "/branches/funds/export/",
        "/alliance/coordination/export/",
    ],
)
@pytest.mark.parametrize("query", ["year=0", "year=-1", "year=99999999999", "month=2026-13"])
def test_hostile_query_values_are_no_500(client, staff_user, org_tree, url, query):
    client.force_login(staff_user)
    response = client.get(f"{url}?{query}")
    assert response.status_code in (200, 302), (url, query, response.status_code)
