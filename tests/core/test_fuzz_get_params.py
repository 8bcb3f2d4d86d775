"""Hostile query strings never make a 500.

Every URL pattern of the portal (Django's admin and the job-queue dashboard aside: not ours) is
requested as bureau staff and as a secretary, over the demo data, with each GET parameter the
view reads set to hostile values. The URLs' path arguments are real: they are found by crawling
the pages from the ones that need no argument, so every page with an object is reached with an
object that exists (a pattern the crawl cannot reach is tried with pk 1). The parameters a view
reads are recorded while it answers (the request's QueryDict notes every key asked for), and a
fixed list of the usual names is always added, so a new view and a new parameter are covered
without editing this file.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.core.handlers import wsgi
from django.db import transaction
from django.http import QueryDict
from django.test import Client

from core.params import date_param, month_param, week_param, year_param
from tests.core.url_sweep import seeded, urls_for  # noqa: F401 (seeded: a fixture)

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    "0",
    "-1",
    "99999999999",
    "9999-99-99",
    "2026-02-30",
    "9999-12",
    "abc",
    "' OR 1=1 --",
    "%00",
    "\x00",
    "",
    "长" * 3000,
    "1e309",
    "١٢",
]
USUAL_NAMES = [
    "year",
    "month",
    "week",
    "date",
    "day",
    "page",
    "q",
    "org",
    "organization",
    "status",
    "kind",
    "show",
    "sort",
    "from",
    "to",
    "start",
    "end",
    "type",
    "round",
]


# --- the parameter readers --------------------------------------------------------------------


TODAY = datetime.date(2026, 3, 18)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-02-28", datetime.date(2026, 2, 28)),
        ("2026-02-30", TODAY),
        ("9999-99-99", TODAY),
        ("9999-12-31", TODAY),
        ("0", TODAY),
        ("abc", TODAY),
        ("", TODAY),
        ("١٢٣٤-٠١-٠١", TODAY),
    ],
)
def test_date_param(value, expected):
    assert date_param({"date": value}, default=TODAY) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-05", datetime.date(2026, 5, 1)),
        ("2026-13", datetime.date(2026, 3, 1)),
        ("9999-12", datetime.date(2026, 3, 1)),
        ("0-1", datetime.date(2026, 3, 1)),
        ("2026", datetime.date(2026, 3, 1)),
    ],
)
def test_month_param(value, expected):
    assert month_param({"month": value}, default=TODAY) == expected


def test_week_param_is_a_monday():
    assert week_param({"week": "2026-03-19"}) == datetime.date(2026, 3, 16)
    assert week_param({"week": "9999-99-99"}, default=TODAY) == datetime.date(2026, 3, 16)


def test_year_param_default_and_non_ascii_digits():
    assert year_param({"year": "0"}, default=2024) == 2024
    assert year_param({"year": "٢٠٢٤"}, default=2020) == 2020


# --- the known cases ----------------------------------------------------------------------


@pytest.fixture
def venue_setup(org_tree, staff_user):
    from venues.models import Room, Venue

    venue = Venue.objects.create(
        name="北关社区党群服务中心",
        district=org_tree.district,
        community=org_tree.community,
        owner=org_tree.branch_a,
    )
    room = Room.objects.create(venue=venue, name="会议室", type="meeting", capacity=20)
    return venue, room


@pytest.mark.parametrize(
    "url",
    [
        "/venues/stats/?year=0",
        "/venues/stats/?year=-1",
        "/venues/stats/?year=99999999999",
        "/venues/stats/export.xlsx?year=0",
        "/venues/{venue}/day/?date=2026-02-30",
        "/venues/{venue}/day/?date=9999-12-31",
        "/venues/rooms/{room}/?week=9999-99-99",
        "/venues/rooms/{room}/?week=9999-12-31",
        "/activities/calendar/?month=9999-12",
        "/activities/calendar/?month=2000-01",
    ],
)
def test_known_hostile_values_answer_a_page_with_a_message(client, staff_user, venue_setup, url):
    venue, room = venue_setup
    client.force_login(staff_user)
    response = client.get(url.format(venue=venue.pk, room=room.pk))
    assert response.status_code == 200, url
    if "export" not in url and "2000-01" not in url:
        assert "不是有效的" in response.content.decode(), url


# --- the sweep ----------------------------------------------------------------------------------


class RecordingQueryDict(QueryDict):
    """A request's GET that notes which keys the view asked for."""

    asked: set[str] = set()

    def get(self, key, default=None):
        RecordingQueryDict.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        RecordingQueryDict.asked.add(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        RecordingQueryDict.asked.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        RecordingQueryDict.asked.add(key)
        return super().__contains__(key)


def _get(client, url, data=None):
    """(status, problem) of a GET, in a savepoint so that a failed query leaves the test's
    transaction usable (PostgreSQL) and nothing a GET might write survives it."""
    try:
        with transaction.atomic():
            response = client.get(url, data)
            if response.streaming:
                b"".join(response.streaming_content)
            status = response.status_code
            transaction.set_rollback(True)
    except Exception as exc:  # the sweep reports every crash, with its kind
        return 500, f"{type(exc).__name__}: {str(exc)[:200]}"
    return status, ""


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("username", ["bureau", "secretary"])
def test_no_hostile_query_value_makes_a_500(settings, monkeypatch, username):
    from core.models import User

    settings.OTP_REQUIRED = False
    client = Client()
    client.force_login(User.objects.get(username=username))
    urls, unreached = urls_for(client)

    monkeypatch.setattr(wsgi, "QueryDict", RecordingQueryDict)
    failures = []
    fuzzed = []
    for url in sorted(urls.values()):
        RecordingQueryDict.asked = set()
        status, problem = _get(client, url, {"_probe": "1"})
        if status == 500:
            failures.append(f"{url} (no parameter): {problem}")
            continue
        if status >= 400:
            continue  # refused before any parameter is read (403, 404, 405)
        asked = RecordingQueryDict.asked - {"_probe"}
        if not asked:
            continue  # the view reads no parameter (get, getlist, [], in): none can hurt it
        names = asked | set(USUAL_NAMES)
        fuzzed.append(url)
        for value in HOSTILE_VALUES:
            status, problem = _get(client, url, dict.fromkeys(sorted(names), value))
            if status == 500:
                # Which parameter: each alone.
                culprits = [
                    name for name in sorted(names) if _get(client, url, {name: value})[0] == 500
                ]
                failures.append(f"{url}?{urlencode({'…': value[:20]})} {culprits}: {problem}")
    assert not failures, "\n".join(failures)
    # The pages with filters, years, months, weeks and dates were among those fuzzed.
    assert len(fuzzed) >= 40, fuzzed
    assert any("/venues/stats/" in url for url in fuzzed) and any(
        "calendar" in url for url in fuzzed
    )
    # Most patterns are reached with a real object: the crawl works.
    assert len(unreached) < len(urls) / 2, unreached


@pytest.mark.parametrize("url", ["/members/search/", "/members/export.xlsx"])
def test_a_nul_character_in_the_query_is_a_400_not_a_500(client, staff_user, url):
    """PostgreSQL cannot hold a NUL in a string: the sweep found 500s there."""
    client.force_login(staff_user)
    response = client.get(url, {"q": "王\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
