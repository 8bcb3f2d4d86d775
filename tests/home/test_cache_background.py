"""A slow 首页 aggregate is not computed in the request (issue 17): once computing it took
HOME_BACKGROUND_AFTER_SECONDS or more, a request that finds no current value answers with the
last one, says when it was computed, and asks the job worker for the current one; the value
is kept in the database (home.FigureSnapshot) so that a restarted process or an emptied cache
does not make the next request compute it.

Transactional: the refresh is sent to the job backend on commit and run by the real worker
(`manage.py run_worker --batch`) in this process."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from branches.models import Status
from home import cache as home_cache
from home import charts, figures, kpis, reports
from home.models import FigureSnapshot
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def staff_figure(client, name: str):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    values = {kpi.name: kpi.value for group in response.context["kpi_groups"] for kpi in group.kpis}
    return values[name], response


def run_worker() -> None:
    call_command("run_worker", batch=True, no_schedule=True, verbosity=0)


@pytest.fixture
def staff_client(client):
    client.force_login(make_user("bureau-bg", role="staff"))
    return client


@pytest.fixture
def slow(settings):
    """Every aggregate counts as slow (its last computation took ≥ 0 s)."""
    settings.HOME_BACKGROUND_AFTER_SECONDS = 0.0
    settings.JOBS_BACKEND = "db"
    return settings


def test_a_slow_aggregate_is_answered_stale_and_recomputed_by_the_worker(
    staff_client, slow, monkeypatch
):
    make_org(name="甲支部", kind="branch", category="established")
    first, response = staff_figure(staff_client, "established_branches")
    assert first == 1
    assert response.context["figures_as_of"] is None  # computed in this request: current
    # Kept in the database, one row per aggregate, for this year and language.
    year = timezone.localdate().year
    assert set(FigureSnapshot.objects.filter(year=year).values_list("name", flat=True)) == {
        "figures",
        "charts",
        "needs_attention",
    }

    make_org(
        name="乙支部", kind="branch", category="established"
    )  # commits: the generation moves on
    DBTaskResult.objects.all().delete()
    with monkeypatch.context() as patched:

        def not_in_the_request(*args):
            raise AssertionError("computed in the request")

        patched.setattr(figures, "_organization_figures", not_in_the_request)
        patched.setattr(charts, "members_by_age_band", not_in_the_request)
        patched.setattr(kpis, "needs_attention_count", not_in_the_request)
        stale, response = staff_figure(staff_client, "established_branches")
    assert stale == 1  # the last value, not computed in the request…
    assert response.context["figures_as_of"] is not None  # …and said to be so
    assert "正在根据记录重新计算" in response.content.decode()
    # One refresh per aggregate asked of the worker, not one per request.
    staff_figure(staff_client, "established_branches")
    asked = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert sorted(a["kwargs"]["name"] for a in asked) == ["charts", "figures", "needs_attention"]

    run_worker()
    current, response = staff_figure(staff_client, "established_branches")
    assert current == 2
    assert response.context["figures_as_of"] is None


def test_an_emptied_cache_reads_the_snapshot_not_the_records(staff_client, slow):
    make_org(name="甲支部", kind="branch", category="established")
    assert staff_figure(staff_client, "established_branches")[0] == 1
    dissolved = make_org(name="乙支部", kind="branch", category="established")
    assert staff_figure(staff_client, "established_branches")[0] == 1  # stale until the worker
    run_worker()
    assert staff_figure(staff_client, "established_branches")[0] == 2
    dissolved.status = Status.DISSOLVED
    dissolved.save()

    cache.clear()  # a restarted process (memory cache) or an emptied Redis
    value, response = staff_figure(staff_client, "established_branches")
    assert value == 2  # the database's snapshot
    assert response.context["figures_as_of"] is not None
    run_worker()
    assert staff_figure(staff_client, "established_branches")[0] == 1


def test_a_fast_aggregate_stays_in_the_request(staff_client, settings):
    settings.HOME_BACKGROUND_AFTER_SECONDS = 3600.0  # nothing here takes an hour
    make_org(name="甲支部", kind="branch", category="established")
    assert staff_figure(staff_client, "established_branches")[0] == 1
    make_org(name="乙支部", kind="branch", category="established")
    value, response = staff_figure(staff_client, "established_branches")
    assert value == 2  # computed at once, as before
    assert response.context["figures_as_of"] is None
    assert not FigureSnapshot.objects.exists()  # only slow aggregates are kept
    assert not DBTaskResult.objects.exists()


def test_off_means_always_in_the_request(staff_client, settings):
    settings.HOME_BACKGROUND_AFTER_SECONDS = None
    make_org(name="甲支部", kind="branch", category="established")
    staff_figure(staff_client, "established_branches")
    make_org(name="乙支部", kind="branch", category="established")
    assert staff_figure(staff_client, "established_branches")[0] == 2
    assert not FigureSnapshot.objects.exists()


def test_an_aggregate_that_is_not_plain_json_is_not_kept(slow, caplog):
    """A value that would not read back equal (a tuple, a date) is kept in the cache only."""
    value = home_cache.cached("not-registered", 2026, lambda: (1, 2))
    assert value == (1, 2)
    home_cache.refresher("tupled")(lambda year: {"pair": (1, 2)})
    try:
        assert home_cache.refresh("tupled", 2026) == {"pair": (1, 2)}
    finally:
        home_cache._REFRESHERS.pop("tupled")
    assert not FigureSnapshot.objects.exists()
    assert "not plain JSON" in caplog.text


def test_the_annual_workbook_never_shows_kept_figures(staff_client, slow):
    """The workbook says when it was made: its 概况 holds the figures of that time."""
    make_org(name="甲支部", kind="branch", category="established")
    staff_figure(staff_client, "established_branches")  # computed and kept
    make_org(name="乙支部", kind="branch", category="established")
    assert staff_figure(staff_client, "established_branches")[0] == 1  # the 首页: kept

    user = make_user("bureau-report", role="staff")
    rows = {row[1]: row[2] for row in reports.overview_rows(user, timezone.localdate().year)}
    assert rows["建制党支部"] == 2  # the workbook: current
