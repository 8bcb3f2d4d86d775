"""After seed_demo, the staff 首页 shows the seed's headline figures (DOMAIN.md's table).

Only the figures whose demo steps exist are checked; the others are listed in SKIPPED.
"""

from __future__ import annotations

import importlib.util
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

KPI = re.compile(r'data-kpi="([a-z0-9_]+)"[^>]*>([^<]*)<')

# figure → (the demo step that makes it, the value in DOMAIN.md's table)
HEADLINES = {
    "established_branches": ("branches.demo", "61"),
    "directly_managed_branches": ("branches.demo", "23"),
    "affinity_joint_committees": ("branches.demo", "1"),
    "affinity_general_branches": ("branches.demo", "1"),
    "affinity_branches": ("branches.demo", "22"),
    "affinity_groups": ("branches.demo", "135"),
    "alliance_organizations": ("branches.demo", "135"),
    "pilots": ("branches.demo", "6"),
    "shared_venue_uses_total": ("venues.demo", "138"),
    "demonstration_sites": ("venues.demo", "14"),
    "established_members": ("members.demo", "1717"),
    "directly_managed_members": ("members.demo", "234"),
    "affinity_members": ("members.demo", "3383"),
    "joint_activities_total": ("activities.demo", "254"),
}


def _step_exists(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def test_staff_home_shows_the_seed_headline_figures(client, settings):
    settings.DEBUG = True
    cache.clear()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from alliance.models import User

    client.force_login(User.objects.get(username="bureau"))
    figures = dict(KPI.findall(client.get(reverse("home")).content.decode()))
    checked = 0
    for name, (step, value) in HEADLINES.items():
        if not _step_exists(step):
            continue
        assert figures[name] == value, f"{name}: {figures[name]} on the page, {value} in DOMAIN.md"
        checked += 1
    assert checked >= 8  # the organization tree's figures at least
    if _step_exists("members.demo"):
        share = float(figures["directly_managed_aged_70_share"].rstrip("%"))
        assert round(share) == 88
    cache.clear()
