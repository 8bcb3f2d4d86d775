"""The results list across rounds (/assessment/results/): filters by year, grade and type, the
readers of a round's results page, its Excel export, and the 首页's grade figures linking to it."""

import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment import services
from core.models import ExportLog
from tests.assessment.conftest import make_rubric, score_all
from tests.factories import make_org

pytestmark = pytest.mark.django_db

TOTAL = re.compile(r"共 (\d+) 条考核结果")
ROLES = ["anonymous", "staff", "supervisor", "secretary", "other_secretary", "viewer", "liaison"]
# the same readers as a round's results page
EXPECTED = [302, 200, 200, 403, 403, 200, 403]


@pytest.fixture
def finalized(scoring_round, supervisor_user, staff_user):
    """The 2026 round finalized: branch A 良好 (86), branch B 不合格 (vetoed)."""
    score_all(scoring_round.a, supervisor_user, normal={"1.1": "25"}, bonus="1")
    score_all(scoring_round.b, scoring_round.other_supervisor, veto=True)
    services.round_finalize(round=scoring_round.round, acting_user=staff_user)
    return scoring_round


def finalized_round(year, organizations, staff_user, supervisor_user):
    """A finalized round of `year` over established `organizations`, all full marks (优秀)."""
    rubric = make_rubric(year, "established")
    round_ = services.round_create(
        year=year, title=f"{year} 年度考核", rubrics=[rubric], acting_user=staff_user
    )
    services.round_set_scope(round=round_, organizations=organizations, acting_user=staff_user)
    services.round_assign(
        round=round_,
        organizations=organizations,
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    for assessment in round_.assessments.all():
        score_all(assessment, staff_user)
    return services.round_finalize(round=round_, acting_user=staff_user)


def _total(response) -> int:
    return int(TOTAL.search(response.content.decode()).group(1))


@pytest.mark.parametrize("page", ["results", "results_export"])
@pytest.mark.parametrize(("role", "status"), list(zip(ROLES, EXPECTED, strict=True)))
def test_permission_table(
    client,
    finalized,
    staff_user,
    supervisor_user,
    secretary_user,
    other_secretary,
    viewer_user,
    liaison_user,
    page,
    role,
    status,
):
    users = {
        "staff": staff_user,
        "supervisor": supervisor_user,
        "secretary": secretary_user,
        "other_secretary": other_secretary,
        "viewer": viewer_user,
        "liaison": liaison_user,
    }
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(reverse(f"assessment:{page}"))
    assert response.status_code == status
    if status == 302:
        assert "/login/" in response["Location"]


def test_filter_by_year_and_grade(client, finalized, staff_user):
    client.force_login(staff_user)
    url = reverse("assessment:results")
    everything = client.get(url)
    assert _total(everything) == 2
    good = client.get(url, {"year": 2026, "grade": "good"})
    html = good.content.decode()
    assert _total(good) == 1
    assert "阅海万家地缘党支部" in html and "教育局离退休干部党支部" not in html
    assert "良好" in html and "86" in html
    failed = client.get(url, {"year": 2026, "grade": "fail"})
    assert _total(failed) == 1 and "一票否决" in failed.content.decode()
    assert "教育局离退休干部党支部" in failed.content.decode()
    # the year's distribution is shown, each count linking to its grade
    assert "2026 年等次分布" in html
    assert _total(client.get(url, {"year": 2026, "category": "established"})) == 1


def test_only_finalized_rounds_are_results(client, finalized, staff_user):
    """A reopened round keeps its old grades in the table but they are not results any more."""
    services.round_reopen(round=finalized.round, reason="复核材料", acting_user=staff_user)
    client.force_login(staff_user)
    response = client.get(reverse("assessment:results"))
    assert _total(response) == 0
    assert "没有符合条件的考核结果。" in response.content.decode()


@pytest.mark.parametrize("query", [{"year": "abc"}, {"grade": "best"}, {"year": "1999"}])
def test_bad_filter_values_are_a_form_error_not_a_500(client, finalized, staff_user, query):
    client.force_login(staff_user)
    response = client.get(reverse("assessment:results"), query)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode() or "有效" in response.content.decode()


def test_export_is_the_filtered_list(client, finalized, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("assessment:results_export"), {"year": 2026, "grade": "good"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = workbook.active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0] == ["年份", "考核轮次", "组织", "党组织类型", "总分", "等次", "排名", "一票否决"]
    assert rows[1:] == [
        [2026, "2026 年度考核", "阅海万家地缘党支部", "三缘型", 86, "良好", 1, "否"]
    ]
    log = ExportLog.objects.get(export="assessment.results")
    assert "grade=good" in log.query and log.user == staff_user


def test_results_list_runs_the_same_queries_for_few_and_many(
    client, org_tree, staff_user, supervisor_user
):
    client.force_login(staff_user)
    few = [
        make_org(
            name=f"部门{i}离退休干部党支部",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
        for i in range(2)
    ]
    finalized_round(2024, few, staff_user, supervisor_user)
    url = reverse("assessment:results")
    with CaptureQueriesContext(connection) as small:
        assert _total(client.get(url, {"year": 2024})) == 2
    many = [
        make_org(
            name=f"单位{i}离退休干部党支部",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
        for i in range(12)
    ]
    finalized_round(2025, many, staff_user, supervisor_user)
    with CaptureQueriesContext(connection) as large:
        assert _total(client.get(url, {"year": 2025})) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_dashboard_grade_figures_link_to_the_results(client, finalized, staff_user, org_tree):
    """The 首页 shows the latest finalized year's grades; each links to that many results."""
    cache.clear()
    client.force_login(staff_user)
    page = client.get(reverse("home")).content.decode()
    figures = dict(re.findall(r'data-kpi="(grade_[a-z]+)"[^>]*>([^<]*)<', page))
    assert figures == {
        "grade_excellent": "0",
        "grade_good": "1",
        "grade_pass": "0",
        "grade_fail": "1",
    }
    links = {
        name: url.replace("&amp;", "&")
        for url, name in re.findall(
            r'<a [^>]*href="([^"]+)">\s*<div class="card-body">\s*<div [^>]*data-kpi="(grade_[a-z]+)"',
            page,
        )
    }
    assert set(links) == set(figures)
    for name, url in links.items():
        assert url.startswith(reverse("assessment:results") + "?")
        assert _total(client.get(url)) == int(figures[name]), name
    cache.clear()


def test_reports_page_offers_the_results_export(client, finalized, staff_user, secretary_user):
    client.force_login(staff_user)
    assert (
        reverse("assessment:results_export")
        in client.get(reverse("reports:index")).content.decode()
    )
    client.force_login(secretary_user)
    assert (
        reverse("assessment:results_export")
        not in client.get(reverse("reports:index")).content.decode()
    )
