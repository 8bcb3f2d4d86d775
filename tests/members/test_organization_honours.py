"""Commendations of organizations and the two leaders (两个带头人) on the organization page, the
bureau's page to add a commendation, and the sheet of the year's commendations in the annual
workbook."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.models import OrganizationCommendation, Participation
from members.services.organizations import (
    organization_commendation_add,
    participation_set_leader,
)

pytestmark = pytest.mark.django_db

YEAR = datetime.date.today().year


@pytest.fixture
def honoured(org_tree, staff_user, make_member):
    """Group A1 with a 党组织书记 and a 活动带头人 among its participants, one who left, and a
    commendation of branch A."""
    group = org_tree.group_a1
    leaders = []
    for name, role in (("杨书记", "party_secretary"), ("马带头", "activity_leader")):
        member = make_member(org_tree.branch_a, name=name)
        participation = Participation.objects.create(member=member, organization=group)
        participation_set_leader(participation=participation, leader=role, acting_user=staff_user)
        leaders.append(member)
    plain = make_member(org_tree.branch_a, name="普通成员")
    Participation.objects.create(member=plain, organization=group)
    commendation = organization_commendation_add(
        organization=org_tree.branch_a,
        title="先进基层党组织",
        year=YEAR,
        awarded_by="中共银川市委",
        level="city",
        acting_user=staff_user,
    )
    return {"group": group, "leaders": leaders, "commendation": commendation}


def test_the_organization_page_shows_leaders_and_commendations(
    client, viewer_user, org_tree, honoured
):
    client.force_login(viewer_user)
    group_page = client.get(org_tree.group_a1.get_absolute_url()).content.decode()
    assert "杨书记" in group_page and "党组织书记" in group_page
    assert "马带头" in group_page and "活动带头人" in group_page
    assert "普通成员" not in group_page  # only the flagged two
    branch_page = client.get(org_tree.branch_a.get_absolute_url()).content.decode()
    assert "先进基层党组织" in branch_page and "中共银川市委" in branch_page
    assert "市级" in branch_page
    # A viewer does not get the link to add one.
    assert reverse("members:organization_commendation_add", args=[org_tree.branch_a.pk]) not in (
        branch_page
    )


def test_the_section_reads_a_bounded_number_of_queries(client, staff_user, org_tree, honoured):
    client.force_login(staff_user)
    url = org_tree.branch_a.get_absolute_url()
    client.get(url)  # the page's cached figures (member counts) read once, as on any later view
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        organization_commendation_add(
            organization=org_tree.branch_a,
            title=f"示范党支部{i}",
            year=YEAR - i,
            awarded_by="市委老干部局",
            level="bureau",
            acting_user=staff_user,
        )
    with CaptureQueriesContext(connection) as more:
        body = client.get(url).content.decode()
    assert "示范党支部4" in body
    assert len(more) == len(few)


@pytest.mark.parametrize(
    ("fixture_name", "status"),
    [
        ("staff_user", 200),
        ("secretary_user", 403),
        ("other_secretary", 403),
        ("supervisor_user", 403),
        ("liaison_user", 403),
        ("viewer_user", 403),
    ],
)
def test_add_page_permissions(client, request, org_tree, fixture_name, status):
    client.force_login(request.getfixturevalue(fixture_name))
    url = reverse("members:organization_commendation_add", args=[org_tree.branch_a.pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"title": "x", "year": YEAR, "awarded_by": "y", "level": "city"})
    assert response.status_code in (302, 403)
    assert OrganizationCommendation.objects.exists() == (status == 200)


def test_add_page_anonymous_and_unknown_organization(client, staff_user, org_tree):
    url = reverse("members:organization_commendation_add", args=[org_tree.branch_a.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.url
    client.force_login(staff_user)
    missing = reverse("members:organization_commendation_add", args=[999999])
    assert client.get(missing).status_code == 404


def test_bureau_staff_add_a_commendation(client, staff_user, org_tree):
    client.force_login(staff_user)
    url = reverse("members:organization_commendation_add", args=[org_tree.branch_b.pk])
    bad = client.post(url, {"title": "示范党支部", "year": YEAR + 1, "awarded_by": "区委"})
    assert bad.status_code == 200 and not OrganizationCommendation.objects.exists()
    response = client.post(
        url, {"title": "示范党支部", "year": YEAR, "awarded_by": "兴庆区委", "level": "district"}
    )
    assert response.status_code == 302 and response.url == org_tree.branch_b.get_absolute_url()
    commendation = OrganizationCommendation.objects.get()
    assert (commendation.organization, commendation.level) == (org_tree.branch_b, "district")
    assert commendation.recorded_by == staff_user


def test_the_annual_workbook_lists_the_years_commendations(client, staff_user, org_tree, honoured):
    organization_commendation_add(
        organization=org_tree.branch_b,
        title="去年的表彰",
        year=YEAR - 1,
        awarded_by="市委",
        level="city",
        acting_user=staff_user,
    )
    client.force_login(staff_user)
    response = client.get(reverse("reports:annual", args=[YEAR]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["组织表彰"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows == [(org_tree.branch_a.name, "先进基层党组织", "中共银川市委", "市级")]
