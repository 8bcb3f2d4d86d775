"""The organization page's community section (open needs nearby, claims, resources) and the
`expire_needs` command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import Need
from alliance.services import need_claim, need_post, resource_post
from core.actors import system_actor
from tests.alliance.helpers import build_world, days
from tests.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_tree, liaison_user):
    return build_world(org_tree, liaison_user)


def _need(world, title, *, organization=None, wanted_in=10):
    return need_post(
        acting_user=system_actor(),
        organization=organization or world.community_org,
        title=title,
        category="volunteering",
        wanted_by=days(wanted_in),
        people_wanted=5,
    )


def _resource(organization, title):
    return resource_post(
        acting_user=system_actor(),
        organization=organization,
        title=title,
        category="lecture",
        available_from=days(0),
        available_until=days(60),
        capacity=10,
    )


def _page(client, organization) -> str:
    response = client.get(reverse("branches:detail", args=[organization.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_section_shows_needs_nearby_claims_and_resources(client, world, secretary_user):
    branch_a = world.tree.branch_a  # in 阅海万家社区
    far_org = make_org(
        name="远方社区党委",
        kind="community_org",
        district=world.far_away.district,
        community=world.far_away,
    )
    _need(world, "楼道清扫志愿者")
    _need(world, "远方的需求", organization=far_org)
    claimed = _need(world, "重阳节慰问老人")
    need_claim(need=claimed, organization=branch_a, acting_user=system_actor(), people=2)
    _resource(branch_a, "书法公益课")
    _resource(world.legal_branch, "别人的法律咨询")

    client.force_login(secretary_user)
    html = _page(client, branch_a)
    assert "社区共建" in html
    assert "附近可认领的需求" in html and "楼道清扫志愿者" in html
    assert "远方的需求" not in html  # another district
    assert "重阳节慰问老人" in html and "待处理" in html  # the claim, pending
    assert "书法公益课" in html
    assert "别人的法律咨询" not in html


def test_section_when_there_is_nothing(client, world, staff_user):
    client.force_login(staff_user)
    html = _page(client, world.tree.branch_b)
    assert "附近暂无待认领的需求。" in html
    assert "暂无认领。" in html
    assert "暂无提供的资源。" in html


def test_section_queries_do_not_grow_with_rows(client, world, staff_user):
    branch_a = world.tree.branch_a
    _need(world, "需求 0")
    need_claim(need=_need(world, "认领 0"), organization=branch_a, acting_user=system_actor())
    _resource(branch_a, "资源 0")
    client.force_login(staff_user)
    _page(client, branch_a)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        _page(client, branch_a)
    for index in range(1, 8):
        _need(world, f"需求 {index}")
        need_claim(
            need=_need(world, f"认领 {index}"), organization=branch_a, acting_user=system_actor()
        )
        _resource(branch_a, f"资源 {index}")
    with CaptureQueriesContext(connection) as many:
        html = _page(client, branch_a)
    assert "资源 7" in html
    assert len(many.captured_queries) == len(few.captured_queries)


def test_expire_needs(world):
    stale = _need(world, "过期的需求")
    fresh = _need(world, "仍需要的需求")
    # a need whose wanted-by date has passed since it was posted
    Need.objects.filter(pk=stale.pk).update(wanted_by=days(-1))
    out = io.StringIO()
    call_command("expire_needs", stdout=out)
    assert "expire_needs: 1 need(s) expired" in out.getvalue()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.state, fresh.state) == ("expired", "open")
    out = io.StringIO()
    call_command("expire_needs", stdout=out)
    assert "expire_needs: 0 need(s) expired" in out.getvalue()
