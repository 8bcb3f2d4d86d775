"""Community coordination pages: each role's rights, what reaches the page, query counts,
the Excel export read back."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import Claim, ClaimState, Need
from alliance.services import (
    claim_accept,
    mediation_case_record,
    need_claim,
    need_post,
    resource_claim,
    resource_post,
    rota_shift_add,
    studio_create,
)
from tests.alliance.helpers import build_world, days, make_member

pytestmark = pytest.mark.django_db

SECRET_PARTIES = "3号楼张秘密与4号楼李隐私"
SECRET_SUMMARY = "楼上漏水纠纷的细节记录"


@pytest.fixture
def world(org_tree, liaison_user, staff_user, secretary_user, other_secretary, make_user):
    world = build_world(org_tree, liaison_user)
    world.staff = staff_user
    world.secretary = secretary_user
    world.other_secretary = other_secretary
    world.supervisor = make_user("supervisor", role="supervisor")
    world.viewer = make_user("viewer", role="viewer")
    world.need = need_post(
        acting_user=liaison_user, title="重阳节文艺演出", category="culture", wanted_by=days(20)
    )
    world.claim = need_claim(
        need=world.need, organization=org_tree.branch_a, acting_user=secretary_user
    )
    world.resource = resource_post(
        acting_user=secretary_user,
        organization=org_tree.branch_a,
        title="法律咨询进社区",
        category="mediation",
        available_from=days(0),
        available_until=days(90),
        capacity=3,
    )
    world.studio = studio_create(
        acting_user=staff_user,
        community=world.community,
        name="老王说和室",
        host_organization=world.legal_branch,
    )
    mediator = make_member(world.legal_branch, "王法明", skills=["调解"])
    rota_shift_add(studio=world.studio, member=mediator, date=days(1), acting_user=staff_user)
    world.case = mediation_case_record(
        studio=world.studio,
        acting_user=world.studio_secretary,
        date=days(-3),
        kind="neighbours",
        parties=SECRET_PARTIES,
        summary=SECRET_SUMMARY,
        outcome="resolved",
        mediators=[mediator],
    )
    return world


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


ROLES = ["anonymous", "staff", "secretary", "other_secretary", "liaison", "supervisor", "viewer"]


def _user(world, role):
    return {
        "anonymous": None,
        "staff": world.staff,
        "secretary": world.secretary,
        "other_secretary": world.other_secretary,
        "liaison": world.liaison,
        "supervisor": world.supervisor,
        "viewer": world.viewer,
        "studio_secretary": world.studio_secretary,
    }[role]


# (page, {role: expected status}); every page's anonymous visitor goes to the login page.
PAGES = {
    "need_list": ({}, dict.fromkeys(ROLES[1:], 200)),
    "need_create": (
        {},
        {
            "staff": 200,
            "secretary": 403,
            "other_secretary": 403,
            "liaison": 200,
            "supervisor": 403,
            "viewer": 403,
        },
    ),
    "need_detail": ("need", dict.fromkeys(ROLES[1:], 200)),
    "resource_list": ({}, dict.fromkeys(ROLES[1:], 200)),
    "resource_create": (
        {},
        {
            "staff": 200,
            "secretary": 200,
            "other_secretary": 200,
            "liaison": 403,
            "supervisor": 403,
            "viewer": 403,
        },
    ),
    "resource_detail": ("resource", dict.fromkeys(ROLES[1:], 200)),
    "claim_inbox": (
        {},
        {
            "staff": 200,
            "secretary": 200,
            "other_secretary": 200,
            "liaison": 200,
            "supervisor": 403,
            "viewer": 403,
        },
    ),
    "claim_detail": (
        "claim",
        {
            "staff": 200,
            "secretary": 200,
            "other_secretary": 404,
            "liaison": 200,
            "supervisor": 200,
            "viewer": 200,
        },
    ),
    "studio_list": ({}, dict.fromkeys(ROLES[1:], 200)),
    "studio_detail": ("studio", dict.fromkeys(ROLES[1:], 200)),
    "case_detail": (
        "case",
        {
            "staff": 200,
            "secretary": 404,
            "other_secretary": 404,
            "liaison": 404,
            "supervisor": 404,
            "viewer": 404,
        },
    ),
    "case_add": (
        "studio",
        {
            "staff": 200,
            "secretary": 403,
            "other_secretary": 403,
            "liaison": 403,
            "supervisor": 403,
            "viewer": 403,
        },
    ),
    "community": ("community", dict.fromkeys(ROLES[1:], 200)),
    "coordination_export": ({}, dict.fromkeys(ROLES[1:], 200)),
}


def _url(world, name, target):
    if not target:
        return reverse(f"alliance:{name}")
    return reverse(f"alliance:{name}", args=[getattr(world, target).pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_permission_table(client, world, name, role):
    target, expected = PAGES[name]
    url = _url(world, name, target)
    response = login(client, _user(world, role)).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], (name, role)


@pytest.mark.parametrize(
    "role", ["secretary", "other_secretary", "liaison", "supervisor", "viewer"]
)
@pytest.mark.parametrize("name", ["studio_detail", "community", "studio_list"])
def test_case_details_never_reach_outsiders(client, world, name, role):
    target = {"studio_detail": "studio", "community": "community", "studio_list": None}[name]
    response = login(client, _user(world, role)).get(_url(world, name, target))
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET_PARTIES not in body
    assert SECRET_SUMMARY not in body
    assert reverse("alliance:case_detail", args=[world.case.pk]) not in body
    if name != "studio_list":
        assert "1 件" in body or "1 cases" in body  # the figures are public


@pytest.mark.parametrize("role", ["staff", "studio_secretary"])
def test_case_details_for_the_studio_and_staff(client, world, role):
    body = login(client, _user(world, role)).get(_url(world, "studio_detail", "studio"))
    assert SECRET_PARTIES in body.content.decode()
    detail = client.get(_url(world, "case_detail", "case")).content.decode()
    assert SECRET_SUMMARY in detail


def test_case_details_not_in_the_export(client, world):
    response = login(client, world.liaison).get(reverse("alliance:coordination_export"))
    content = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    text = " ".join(
        str(cell)
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
    )
    assert SECRET_PARTIES not in text


def test_other_secretary_cannot_act_on_another_organizations_claim(client, world):
    login(client, world.other_secretary)
    for action in ("claim_accept", "claim_decline", "claim_withdraw"):
        response = client.post(reverse(f"alliance:{action}", args=[world.claim.pk]))
        assert response.status_code == 404
    world.claim.refresh_from_db()
    assert world.claim.state == ClaimState.PENDING


def test_claiming_side_cannot_accept_its_own_claim(client, world):
    response = login(client, world.secretary).post(
        reverse("alliance:claim_accept", args=[world.claim.pk])
    )
    assert response.status_code == 403
    world.claim.refresh_from_db()
    assert world.claim.state == ClaimState.PENDING


def test_liaison_accepts_on_the_page_and_sees_the_activity(client, world):
    login(client, world.liaison)
    response = client.post(
        reverse("alliance:claim_accept", args=[world.claim.pk]), {"next": "inbox"}, follow=True
    )
    body = response.content.decode()
    assert "重阳节文艺演出" in body
    world.claim.refresh_from_db()
    assert world.claim.state == ClaimState.ACCEPTED
    assert world.claim.activity is not None


def test_posting_a_need_in_the_past_shows_a_chinese_error_and_saves_nothing(client, world):
    before = Need.objects.count()
    response = login(client, world.liaison).post(
        reverse("alliance:need_create"),
        {
            "organization": world.community_org.pk,
            "title": "植树",
            "category": "environment",
            "wanted_by": (days(-1)).isoformat(),
            "people_wanted": 3,
        },
    )
    assert response.status_code == 200
    assert "需求日期不能早于今天" in response.content.decode()
    assert Need.objects.count() == before


def test_posting_a_need_through_the_page(client, world):
    response = login(client, world.liaison).post(
        reverse("alliance:need_create"),
        {
            "organization": world.community_org.pk,
            "title": "植树护绿",
            "category": "environment",
            "wanted_by": days(5).isoformat(),
            "people_wanted": 3,
        },
    )
    need = Need.objects.get(title="植树护绿")
    assert response.status_code == 302
    assert need.posted_by_organization == world.community_org


def test_claiming_own_need_on_the_page_shows_the_error(client, world, make_user):
    community_secretary = make_user(
        "community_secretary", role="secretary", organization=world.community_org
    )
    login(client, community_secretary)
    response = client.post(
        reverse("alliance:need_claim", args=[world.need.pk]),
        {"organization": world.community_org.pk, "people": 1},
        follow=True,
    )
    assert response.status_code == 200
    assert not Claim.objects.filter(claiming_organization=world.community_org).exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _more_items(world, n):
    for i in range(n):
        need = need_post(
            acting_user=world.liaison,
            title=f"需求{i}",
            category="volunteering",
            wanted_by=days(10 + i),
            people_wanted=2,
        )
        claim = need_claim(need=need, organization=world.tree.branch_b, acting_user=None)
        claim_accept(claim=claim, acting_user=None)
        resource = resource_post(
            acting_user=None,
            organization=world.tree.branch_b,
            title=f"资源{i}",
            category="health",
            available_from=days(0),
            available_until=days(30),
            capacity=2,
        )
        resource_claim(resource=resource, acting_user=world.liaison)


@pytest.mark.parametrize(
    "name", ["need_list", "resource_list", "claim_inbox", "community", "studio_list"]
)
def test_lists_take_a_fixed_number_of_queries(client, world, name):
    target = "community" if name == "community" else None
    url = _url(world, name, target)
    login(client, world.liaison)
    few = _count(client, url)
    _more_items(world, 6)
    assert _count(client, url) == few


def test_export_reads_back_with_claims_and_outcomes(client, world):
    claim_accept(claim=world.claim, acting_user=world.liaison)
    resource_claim(resource=world.resource, acting_user=world.liaison, people=2)
    year = datetime.date.today().year
    response = login(client, world.staff).get(
        reverse("alliance:coordination_export"), {"year": year, "category": "culture"}
    )
    assert response["Content-Disposition"].endswith('filename="coordination.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    needs, resources = workbook.worksheets
    rows = list(needs.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1  # the category filter of the board applies
    row = rows[0]
    assert row[0] == "重阳节文艺演出"
    assert row[1] == "阅海万家社区"
    assert row[8] == "阅海万家地缘党支部"
    assert row[10] == "已接受"
    assert row[11] == "重阳节文艺演出"
    assert list(resources.iter_rows(min_row=3, values_only=True)) == []  # category filter
