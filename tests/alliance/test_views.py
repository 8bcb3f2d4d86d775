"""Community coordination pages: what reaches the page, query counts, the Excel export read
back (each role's rights are in test_permissions.py)."""

from __future__ import annotations

import datetime
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import Claim, ClaimState, Need
from alliance.services import (
    claim_accept,
    need_claim,
    need_post,
    resource_claim,
    resource_post,
)
from core.actors import system_actor
from tests.alliance.helpers import (
    SECRET_PARTIES,
    SECRET_SUMMARY,
    build_coordination_world,
    days,
    make_member,
    user_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    org_tree,
    liaison_user,
    staff_user,
    secretary_user,
    other_secretary,
    supervisor_user,
    viewer_user,
):
    return build_coordination_world(
        org_tree,
        liaison=liaison_user,
        staff=staff_user,
        secretary=secretary_user,
        other_secretary=other_secretary,
        supervisor=supervisor_user,
        viewer=viewer_user,
    )


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _url(world, name, target):
    if not target:
        return reverse(f"alliance:{name}")
    return reverse(f"alliance:{name}", args=[getattr(world, target).pk])


@pytest.mark.parametrize(
    "role", ["secretary", "other_secretary", "liaison", "supervisor", "viewer"]
)
@pytest.mark.parametrize("name", ["studio_detail", "community", "studio_list"])
def test_case_details_never_reach_outsiders(client, world, name, role):
    target = {"studio_detail": "studio", "community": "community", "studio_list": None}[name]
    response = login(client, user_of(world, role)).get(_url(world, name, target))
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET_PARTIES not in body
    assert SECRET_SUMMARY not in body
    assert reverse("alliance:case_detail", args=[world.case.pk]) not in body
    if name != "studio_list":
        assert "1 件" in body or "1 cases" in body  # the figures are public


@pytest.mark.parametrize("role", ["staff", "studio_secretary"])
def test_case_details_for_the_studio_and_staff(client, world, role):
    body = login(client, user_of(world, role)).get(_url(world, "studio_detail", "studio"))
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
        claim = need_claim(need=need, organization=world.tree.branch_b, acting_user=system_actor())
        claim_accept(claim=claim, acting_user=system_actor())
        resource = resource_post(
            acting_user=system_actor(),
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
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert (
        unquote(disposition.split("filename*=UTF-8''")[1])
        == f"需求清单与资源清单及认领情况-{year}年.xlsx"
    )
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


def test_studio_form_pages_lead_with_the_studio_and_lead_back_to_it(client, world):
    studio_url = world.studio.get_absolute_url()
    login(client, world.staff)
    for name in ("rota_shift_add", "case_add"):
        response = client.get(reverse(f"alliance:{name}", args=[world.studio.pk]))
        body = response.content.decode()
        assert response.templates[0].name == "form_page.html"
        assert f'<p class="lead"><a href="{studio_url}">老王说和室</a></p>' in body
        assert f'href="{studio_url}">取消</a>' in body


def test_a_mediator_without_the_skill_is_refused_on_the_member_field(client, world):
    outsider = make_member(world.legal_branch, "李无技")
    response = login(client, world.staff).post(
        reverse("alliance:rota_shift_add", args=[world.studio.pk]),
        {"member": outsider.pk, "date": days(2).isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["member"]


def test_item_pages_show_withdraw_to_the_owner_and_the_claim_form_to_a_claimer(client, world):
    need_url = reverse("alliance:need_detail", args=[world.need.pk])
    withdraw = reverse("alliance:need_withdraw", args=[world.need.pk])
    claim = reverse("alliance:need_claim", args=[world.need.pk])
    body = login(client, world.liaison).get(need_url).content.decode()
    assert withdraw in body and claim not in body
    body = login(client, world.other_secretary).get(need_url).content.decode()
    assert withdraw not in body and claim in body
    resource_url = reverse("alliance:resource_detail", args=[world.resource.pk])
    withdraw = reverse("alliance:resource_withdraw", args=[world.resource.pk])
    claim = reverse("alliance:resource_claim", args=[world.resource.pk])
    body = login(client, world.secretary).get(resource_url).content.decode()
    assert withdraw in body and claim not in body
    body = login(client, world.liaison).get(resource_url).content.decode()
    assert withdraw not in body and claim in body
