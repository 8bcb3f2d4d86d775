"""Flagging the two leaders (两个带头人) of a group from the member page: who may, what it
saves, where it shows."""

from __future__ import annotations

import datetime

import pytest

from members.models import LeaderRole
from members.services import participation_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def participation(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a, name="李秀英", gender="female")
    return participation_add(
        member=member,
        organization=org_tree.group_a1,
        role="组长",
        joined_on=datetime.date(2024, 3, 1),
        acting_user=staff_user,
    )


def _url(participation):
    return f"/members/{participation.member_id}/participations/{participation.pk}/leader/"


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("staff_user", 200),
        ("secretary_user", 200),
        ("other_secretary", 404),
        ("supervisor_user", 403),
        ("liaison_user", 403),
        ("viewer_user", 403),
    ],
)
def test_permission_table(request, client, participation, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(_url(participation))
    assert response.status_code == expected
    if expected == 200:
        assert "书画功能党小组" in response.content.decode()


def test_secretary_flags_the_activity_leader_and_it_shows(client, participation, secretary_user):
    client.force_login(secretary_user)
    response = client.post(_url(participation), {"leader": LeaderRole.ACTIVITY_LEADER})
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.leader == LeaderRole.ACTIVITY_LEADER
    page = client.get(f"/members/{participation.member_id}/").content.decode()
    assert "活动带头人" in page
    # …and on the group's page, among its two leaders.
    group = client.get(f"/branches/{participation.organization_id}/").content.decode()
    assert "李秀英" in group and "活动带头人" in group


def test_an_unknown_role_is_refused_and_nothing_saved(client, participation, secretary_user):
    client.force_login(secretary_user)
    response = client.post(_url(participation), {"leader": "chairman"})
    assert response.status_code == 200
    participation.refresh_from_db()
    assert participation.leader == ""
