"""首页 by role: the alliance's figures (data-kpi), their links, role scoping, query bounds."""

from __future__ import annotations

import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.services import activity_create, attendance_record
from members.identity import make_id_number
from members.services import member_create
from tests.factories import make_org

pytestmark = pytest.mark.django_db

KPI = re.compile(r'data-kpi="([a-z0-9_]+)"[^>]*>([^<]*)<')


def add_members_and_activities(org_tree, staff_user, count: int = 6) -> dict:
    """Members in branches A and B and held joint activities with attendance, built through
    the members and activities services. Returns what was made."""
    import datetime

    from django.utils import timezone

    global _SEQUENCE
    made = {"members": [], "activities": []}
    tz = timezone.get_default_timezone()
    year = timezone.localdate().year
    for index in range(count):
        number = next(_SEQUENCE)
        born = datetime.date(1940 + (number % 30), 3, 1)
        organization = org_tree.branch_b if index % 2 else org_tree.branch_a
        made["members"].append(
            member_create(
                acting_user=staff_user,
                organization=organization,
                name=f"测试党员{number}",
                gender="male",
                birth_date=born,
                id_number=make_id_number("640104", born, number, "male"),
                category="retired" if index % 3 else "lixiu",
                confirmed_on=datetime.date(1980, 1, 1),
                joined_party_on=datetime.date(1979, 1, 1),
            )
        )
    for index in range(max(1, count // 3)):
        start = datetime.datetime(year, 1 + index % 10, 10, 9, 0, tzinfo=tz)
        activity = activity_create(
            type="lecture",
            organization=org_tree.branch_a,
            co_hosts=[org_tree.branch_b],
            title=f"联办宣讲{next(_SEQUENCE)}",
            start=start,
            end=start + datetime.timedelta(hours=2),
            acting_user=staff_user,
            brand="silver_pioneer",
            status="held",
        )
        attendance_record(
            activity=activity,
            entries={m.pk: "present" for m in made["members"]},
            acting_user=staff_user,
        )
        made["activities"].append(activity)
    return made


_SEQUENCE = itertools.count(500)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def kpis(response) -> dict[str, str]:
    return dict(KPI.findall(response.content.decode()))


def kpi_links(response) -> dict[str, str]:
    """data-kpi name → the href of the link around it."""
    html = response.content.decode()
    links = {}
    for match in re.finditer(
        r'<a class="card[^"]*" href="([^"]+)">\s*<div class="card-body">\s*'
        r'<div [^>]*data-kpi="([a-z0-9_]+)"',
        html,
    ):
        links[match.group(2)] = match.group(1).replace("&amp;", "&")
    return links


@pytest.mark.parametrize(
    "fixture_name",
    ["staff_user", "viewer_user", "secretary_user", "supervisor_user", "liaison_user"],
)
def test_every_role_gets_its_home(client, request, fixture_name):
    user = request.getfixturevalue(fixture_name)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "首页".encode() in response.content


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_home_counts_the_tree(client, staff_user, org_tree):
    client.force_login(staff_user)
    figures = kpis(client.get(reverse("home")))
    assert figures["established_branches"] == "1"  # branch B
    assert figures["affinity_joint_committees"] == "1"
    assert figures["affinity_general_branches"] == "0"
    assert figures["affinity_branches"] == "1"
    assert figures["affinity_groups"] == "1"
    assert figures["directly_managed_branches"] == "0"


def test_viewer_sees_the_same_figures_as_staff(client, staff_user, viewer_user, org_tree):
    client.force_login(staff_user)
    staff = kpis(client.get(reverse("home")))
    client.force_login(viewer_user)
    assert kpis(client.get(reverse("home"))) == staff


def test_each_figure_links_to_its_filtered_list(client, staff_user, org_tree):
    client.force_login(staff_user)
    links = kpi_links(client.get(reverse("home")))
    assert links["established_branches"].startswith("/branches/?")
    assert "kind=branch" in links["established_branches"]
    assert "category=established" in links["established_branches"]
    assert "needs_attention=yes" in links["needs_attention"]
    # The list behind the figure shows exactly that many rows: branch B only.
    listing = client.get(links["established_branches"])
    assert listing.status_code == 200
    assert "教育局离退休干部党支部".encode() in listing.content
    assert "阅海万家地缘党支部".encode() not in listing.content


def test_adding_an_established_branch_through_the_page_raises_the_figure(
    client, staff_user, org_tree, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    before = int(kpis(client.get(reverse("home")))["established_branches"])
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit
        response = client.post(
            reverse("branches:create"),
            {
                "name": "财政局离退休干部党支部",
                "kind": "branch",
                "category": "established",
                "parent": org_tree.committee.pk,
                "status": "active",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    after = int(kpis(client.get(reverse("home")))["established_branches"])
    assert after == before + 1


def test_staff_home_queries_do_not_grow_with_the_data(client, staff_user, org_tree):
    client.force_login(staff_user)
    client.get(reverse("home"))  # warm up sessions, content types
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for index in range(8):
        branch = make_org(
            name=f"测试建制党支部{index}",
            kind="branch",
            category="established",
            parent=org_tree.committee,
            district=org_tree.district,
        )
        make_org(
            name=f"测试功能党小组{index}",
            kind="party_group",
            category="established",
            parent=branch,
        )
    _add_members_and_activities(org_tree, staff_user)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))
    figures = kpis(response)
    assert figures["established_branches"] == "9"
    assert figures["joint_activities"] == "2"
    assert figures["participation_rate"] == "100.0%"
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)


def test_cached_home_costs_few_queries_and_sees_changes(
    client, staff_user, org_tree, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as warm:
        response = client.get(reverse("home"))
    assert len(warm) <= 6  # session, user, needs-attention count; the aggregates come cached
    before = int(kpis(response)["established_branches"])
    with django_capture_on_commit_callbacks(execute=True):  # the write's commit
        make_org(
            name="审计局离退休干部党支部",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
    assert int(kpis(client.get(reverse("home")))["established_branches"]) == before + 1


def _add_members_and_activities(org_tree, staff_user, count: int = 6):
    """Members in branch B and held joint activities with attendance, through the services."""
    add_members_and_activities(org_tree, staff_user, count)


def test_secretary_home_shows_nothing_of_other_organizations(
    client, secretary_user, other_secretary, org_tree
):
    client.force_login(secretary_user)
    response = client.get(reverse("home"))
    body = response.content
    assert "阅海万家地缘党支部".encode() in body
    assert "教育局离退休干部党支部".encode() not in body  # branch B
    assert "三缘型联合党委".encode() not in body  # the parent is not theirs either
    assert b'data-kpi="established_branches"' not in body
    assert b'data-kpi="warnings"' in body


def test_other_secretary_sees_only_branch_b(client, other_secretary, org_tree):
    client.force_login(other_secretary)
    body = client.get(reverse("home")).content
    assert "教育局离退休干部党支部".encode() in body
    assert "阅海万家地缘党支部".encode() not in body
    assert "书画功能党小组".encode() not in body


def test_supervisor_and_liaison_pages_show_no_alliance_figures(
    client, supervisor_user, liaison_user
):
    for user in (supervisor_user, liaison_user):
        client.force_login(user)
        body = client.get(reverse("home")).content
        assert b'data-kpi="established_branches"' not in body


def test_charts_have_their_numbers_in_captioned_tables(client, staff_user, org_tree):
    client.force_login(staff_user)
    html = client.get(reverse("home")).content.decode()
    assert 'id="dashboard-charts"' in html
    assert "chart.umd.min.js" in html
    assert "js/dashboard.js" in html
    assert html.count('<canvas data-chart="') >= 1
    assert 'data-chart-table="organizations"' in html
    assert "<caption" in html
    # organizations by district and kind: 金凤区 has branch A.
    table = html.split('data-chart-table="organizations"')[1].split("</table>")[0]
    assert "金凤区" in table
