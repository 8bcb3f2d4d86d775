"""The annual statistics workbook and the reports page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from assessment.models import Assessment
from branches.models import Organization
from members.models import Member
from tests.home.test_dashboard import add_members_and_activities
from venues.models import Venue

pytestmark = pytest.mark.django_db

SHEETS = ["概况", "组织", "党员", "活动", "阵地", "考核", "组织表彰"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def year():
    return timezone.localdate().year


def workbook(client, year):
    response = client.get(reverse("reports:annual", args=[year]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def data_rows(ws):
    """Rows under the title row (1) and the header row (2)."""
    return list(ws.iter_rows(min_row=3, values_only=True))


@pytest.mark.parametrize(
    "fixture_name, status",
    [
        ("staff_user", 200),
        ("viewer_user", 200),
        ("secretary_user", 403),
        ("supervisor_user", 403),
        ("liaison_user", 403),
    ],
)
def test_annual_workbook_permissions(client, request, fixture_name, status, year):
    client.force_login(request.getfixturevalue(fixture_name))
    assert client.get(reverse("reports:annual", args=[year])).status_code == status


def test_anonymous_cannot_download(client, year):
    response = client.get(reverse("reports:annual", args=[year]))
    assert response.status_code == 302


def test_unknown_year_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("reports:annual", args=[1999])).status_code == 404


def test_annual_workbook_sheets_and_styling(client, staff_user, org_tree, year):
    client.force_login(staff_user)
    book = workbook(client, year)
    assert book.sheetnames == SHEETS
    for ws in book.worksheets:
        title = ws["A1"].value
        assert str(year) in title and "年度统计报表" in title and "生成于" in title
        assert ws["A1"].font.bold
        assert ws["A2"].font.bold  # header row
        assert ws.freeze_panes == "A3"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:")
        assert ws.column_dimensions["A"].width >= 10
    headers = [cell.value for cell in book["概况"][2]]
    assert headers == ["分组", "指标", "数量", "比率", "说明"]


def test_annual_workbook_figures_match_the_database(client, staff_user, org_tree, year):
    made = add_members_and_activities(org_tree, staff_user, 9)
    client.force_login(staff_user)
    book = workbook(client, year)

    overview = {row[1]: row for row in data_rows(book["概况"])}
    assert (
        overview["建制党支部"][2]
        == Organization.objects.filter(
            kind="branch", category="established", status="active"
        ).count()
    )
    assert (
        overview["联办活动"][2]
        == Activity.objects.filter(is_joint=True, status="held", start__year=year).count()
        == len(made["activities"])
    )
    assert overview["党员活动参与率"][3] == pytest.approx(1.0)

    organizations = data_rows(book["组织"])
    assert (
        sum(row[3] for row in organizations) == Organization.objects.filter(status="active").count()
    )
    by_district = {(row[0], row[1]): row[3] for row in organizations}
    assert by_district[("金凤区", "党支部")] == 1

    members = data_rows(book["党员"])
    totals = {row[0]: row[-1] for row in members}
    expected = dict(
        Member.objects.filter(status="normal").values_list("category").annotate(n=Count("pk"))
    )
    assert totals["退休"] == expected.get("retired", 0)
    assert totals["离休"] == expected.get("lixiu", 0)
    assert sum(totals.values()) == Member.objects.filter(status="normal").count() == 9

    activities = data_rows(book["活动"])
    assert (
        sum(row[14] for row in activities)
        == Activity.objects.filter(status="held", start__year=year).count()
    )
    assert sum(row[15] for row in activities) == len(made["activities"])
    months = [0] * 12
    for activity in made["activities"]:
        months[timezone.localtime(activity.start).month - 1] += 1
    assert [sum(row[2 + m] for row in activities) for m in range(12)] == months

    venues = data_rows(book["阵地"])

    assert len(venues) == Venue.objects.filter(is_active=True).count()

    results = data_rows(book["考核"])

    assert len(results) == Assessment.objects.filter(round__year=year).count()
    assert Q  # keep the import honest


def test_reports_page_lists_only_allowed_exports(client, staff_user, secretary_user, org_tree):
    client.force_login(staff_user)
    staff_page = client.get(reverse("reports:index"))
    assert staff_page.status_code == 200
    body = staff_page.content.decode()
    assert reverse("reports:annual", args=[timezone.localdate().year]) in body
    assert reverse("branches:export") in body
    assert reverse("members:export") in body

    client.force_login(secretary_user)
    body = client.get(reverse("reports:index")).content.decode()
    assert "/reports/annual/" not in body  # the secretary may not download the annual workbook
    assert reverse("members:export") in body  # their own roster
    # Every export offered to the secretary actually downloads for them.
    import re

    for href in re.findall(r'href="([^"]+)"', body):
        href = href.replace("&amp;", "&")
        if "export" in href and href.startswith("/"):
            assert client.get(href).status_code == 200, href
