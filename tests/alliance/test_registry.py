"""The alliance registry and annual targets (moved here from tests/branches/), the landing
page /alliance/, and the participation rate the targets page shares with the 首页."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.selectors import participation_rate
from activities.services import meeting_log
from alliance import services as alliance_services
from alliance.models import AllianceMembership, AnnualTarget
from alliance.services import (
    mediation_case_record,
    need_claim,
    need_post,
    resource_post,
    studio_create,
)
from core.actors import system_actor
from tests.alliance.helpers import build_world, days, make_member
from tests.factories import make_org

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "secretary", "other_secretary", "supervisor", "liaison", "viewer"]


@pytest.fixture
def users(staff_user, secretary_user, other_secretary, supervisor_user, liaison_user, viewer_user):
    return {
        "staff": staff_user,
        "secretary": secretary_user,
        "other_secretary": other_secretary,
        "supervisor": supervisor_user,
        "liaison": liaison_user,
        "viewer": viewer_user,
    }


def test_alliance_join_once(org_tree):
    alliance_services.alliance_join(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        joined_on=datetime.date(2025, 1, 1),
        hub="elderly_centre",
    )
    with pytest.raises(ValidationError) as info:
        alliance_services.alliance_join(
            organization=org_tree.branch_a,
            acting_user=system_actor(),
            joined_on=datetime.date(2025, 2, 1),
            hub="elderly_centre",
        )
    assert "organization" in info.value.message_dict


def test_registry_join_leave_and_targets_progress(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("alliance:registry_join"),
        {
            "organization": org_tree.branch_b.pk,
            "joined_on": "2026-05-01",
            "hub": "elderly_university",
            "role": "lead",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("alliance:registry")).content.decode()
    assert "教育局离退休干部党支部" in body and "银川老年大学党群活动服务中心" in body
    AnnualTarget.objects.create(
        year=2026, organizations_target=2, coverage_rate_target=50, participation_rate_target=80
    )
    body = client.get(reverse("alliance:targets")).content.decode()
    assert "50%" in body  # 1 of 2 organizations
    membership = AllianceMembership.objects.get()
    response = client.post(
        reverse("alliance:registry_leave", args=[membership.pk]), {"left_on": "2026-05-01"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2026, 5, 1)


def test_new_year_target_defaults_to_double_last_years(client, staff_user):
    client.force_login(staff_user)
    AnnualTarget.objects.create(
        year=2026, organizations_target=136, coverage_rate_target=90, participation_rate_target=85
    )
    response = client.get(reverse("alliance:target_create"))
    assert response.context["form"].initial["organizations_target"] == 272
    assert response.context["form"].initial["year"] == 2027


# --- The landing page /alliance/ -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_landing_page_for_every_role(client, org_tree, users, role):
    url = reverse("alliance:index")
    assert url == "/alliance/"
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        return
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("registry", "targets", "need_list", "resource_list", "studio_list"):
        assert reverse(f"alliance:{name}") in body


def _add_alliance_rows(world, n: int) -> None:
    """n more alliance organizations, needs, resources, claims, mediation cases."""
    for index in range(n):
        tag = f"{len(world.added)}-{index}"
        organization = make_org(
            name=f"联盟新支部{tag}",
            kind="branch",
            category="established",
            parent=world.tree.committee,
        )
        alliance_services.alliance_join(
            organization=organization,
            acting_user=world.staff,
            joined_on=timezone.localdate() - datetime.timedelta(days=1),
            hub="elderly_centre",
        )
        need = need_post(
            acting_user=world.staff,
            organization=world.community_org,
            title=f"需求{tag}",
            category="lecture",
            wanted_by=days(10),
            people_wanted=2,
        )
        need_claim(need=need, organization=organization, acting_user=world.staff)
        resource_post(
            acting_user=world.staff,
            organization=organization,
            title=f"资源{tag}",
            category="culture",
            available_from=days(0),
            available_until=days(30),
        )
        mediation_case_record(
            studio=world.studio,
            acting_user=world.staff,
            date=timezone.localdate(),
            kind="neighbours",
            parties=f"甲{tag}与乙{tag}",
            summary="邻里噪音纠纷",
            outcome="resolved",
        )
        world.added.append(organization)


@pytest.fixture
def landing_world(org_tree, liaison_user, staff_user):
    world = build_world(org_tree, liaison_user)
    world.staff = staff_user
    world.added = []
    world.studio = studio_create(
        acting_user=staff_user,
        community=world.community,
        name="说和室",
        host_organization=world.community_org,
    )
    AnnualTarget.objects.create(
        year=timezone.localdate().year,
        organizations_target=10,
        coverage_rate_target=50,
        participation_rate_target=80,
    )
    return world


def test_landing_page_figures_and_queries_do_not_grow_with_rows(client, landing_world):
    world = landing_world
    client.force_login(world.staff)
    _add_alliance_rows(world, 1)
    with CaptureQueriesContext(connection) as first:
        response = client.get(reverse("alliance:index"))
    assert response.status_code == 200
    overview = response.context["overview"]
    before = (overview.organizations, overview.open_needs, overview.open_resources)
    _add_alliance_rows(world, 3)
    with CaptureQueriesContext(connection) as second:
        response = client.get(reverse("alliance:index"))
    assert len(second) == len(first)
    overview = response.context["overview"]
    assert (overview.organizations, overview.open_needs, overview.open_resources) == (
        before[0] + 3,
        before[1] + 3,
        before[2] + 3,
    )
    assert overview.claims["total"] >= 4 and overview.claims["pending"] >= 4
    assert overview.mediation["total"] == 4 and overview.mediation["resolved"] == 4
    assert overview.target.organizations_target == 10


# --- The participation rate the targets page shares with the 首页 ------------------------------


def test_targets_page_shows_the_participation_rate_of_the_home_page(client, org_tree, staff_user):
    today = timezone.localdate()
    year = today.year
    members = [make_member(org_tree.branch_a, name) for name in ("王建国", "李秀英", "张志明")]
    meeting_log(
        organization=org_tree.branch_a,
        type="committee_meeting",
        date=max(datetime.date(year, 1, 1), today - datetime.timedelta(days=1)),
        topic="学习党章",
        present_ids=[members[0].pk],
        excused={members[1].pk: "住院"},
        acting_user=staff_user,
    )
    AnnualTarget.objects.create(
        year=year, organizations_target=2, coverage_rate_target=50, participation_rate_target=80
    )
    rate = participation_rate(
        start=datetime.date(year, 1, 1), end=min(datetime.date(year, 12, 31), today)
    ).rate
    assert rate is not None
    expected = f"{rate * 100:.1f}%"

    client.force_login(staff_user)
    home = client.get(reverse("home"))
    home_kpi = next(
        kpi
        for group in home.context["kpi_groups"]
        for kpi in group.kpis
        if kpi.name == "participation_rate"
    )
    assert home_kpi.display == expected

    targets = client.get(reverse("alliance:targets"))
    row = next(row for row in targets.context["rows"] if row.target.year == year)
    assert row.participation_rate == rate
    assert expected in targets.content.decode()
