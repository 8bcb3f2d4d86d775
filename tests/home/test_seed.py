"""After seed_demo, the staff 首页 shows the seed's headline figures (DOMAIN.md's table), and
each member figure's link leads to a roster of exactly that many members."""

from __future__ import annotations

import html
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from core.models import User

pytestmark = pytest.mark.django_db

KPI = re.compile(r'data-kpi="([a-z0-9_]+)"[^>]*>([^<]*)<')
# A figure's card: <a ... href="URL"> <div class="card-body"> <div ... data-kpi="NAME">
KPI_LINK = re.compile(
    r'<a [^>]*href="([^"]+)">\s*<div class="card-body">\s*<div [^>]*data-kpi="([a-z0-9_]+)"'
)
TOTAL = re.compile(r"共 (\d+) 条")

# figure → the value in DOMAIN.md's table
HEADLINES = {
    "established_branches": "61",
    "established_members": "1717",
    "directly_managed_branches": "23",
    "directly_managed_members": "234",
    "affinity_joint_committees": "1",
    "affinity_general_branches": "1",
    "affinity_branches": "22",
    "affinity_groups": "135",
    "affinity_members": "3383",
    "alliance_organizations": "135",
    "pilots": "6",
    "demonstration_sites": "14",
    "shared_venue_uses_total": "138",
    "joint_activities_total": "254",
}
MEMBER_FIGURES = ("established_members", "directly_managed_members", "affinity_members")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One full seed_demo (every app's step) for this module's tests, rolled back after them
    (each test runs in a savepoint inside this transaction)."""
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        debug, settings.DEBUG = settings.DEBUG, True
        try:
            call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        finally:
            settings.DEBUG = debug
        yield
        transaction.set_rollback(True)


def _home(client):
    cache.clear()
    client.force_login(User.objects.get(username="bureau"))
    return client.get(reverse("home")).content.decode()


def _roster_total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    totals = TOTAL.findall(response.content.decode())
    assert len(totals) == 1, f"{url}: no single 共 N 条 on the page"
    return int(totals[0])


@pytest.mark.parametrize(("name", "value"), list(HEADLINES.items()))
def test_staff_home_shows_the_seed_headline_figures(seeded, client, name, value):
    figures = dict(KPI.findall(_home(client)))
    assert figures.get(name) == value, (
        f"{name}: {figures.get(name)} on the page, {value} in DOMAIN.md"
    )


def test_directly_managed_members_aged_70_share(seeded, client):
    # 206 of 234 aged 70 or over: 88%
    assert dict(KPI.findall(_home(client)))["directly_managed_aged_70_share"] == "88.0%"


def test_each_member_figure_links_to_a_roster_of_that_many(seeded, client):
    page = _home(client)
    figures = dict(KPI.findall(page))
    links = {name: html.unescape(url) for url, name in KPI_LINK.findall(page)}
    for name in MEMBER_FIGURES:
        assert name in links, f"{name} has no link"
        assert links[name].startswith(reverse("members:list") + "?")
        assert _roster_total(client, links[name]) == int(figures[name]), name
    # the share's link lists its numerator: the directly managed members aged 70 or over
    aged = _roster_total(client, links["directly_managed_aged_70_share"])
    assert aged == 206
    share = aged / int(figures["directly_managed_members"])
    assert f"{share * 100:.1f}%" == figures["directly_managed_aged_70_share"]


def test_grade_figures_are_the_45_assessed_branches_and_link_to_their_results(seeded, client):
    page = _home(client)
    figures = dict(KPI.findall(page))
    links = {name: html.unescape(url) for url, name in KPI_LINK.findall(page)}
    grades = [name for name in figures if name.startswith("grade_")]
    assert len(grades) == 4
    # DOMAIN.md: 45 department retiree branches assessed in a year (the finalized round)
    assert sum(int(figures[name]) for name in grades) == 45
    for name in grades:
        response = client.get(links[name])
        assert response.status_code == 200
        assert (
            re.search(r"共 (\d+) 条考核结果", response.content.decode()).group(1) == figures[name]
        )
