"""Ending a participation from the member page: who may, what is refused, what the page shows."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from members.models import Participation
from members.services import participation_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org_tree, make_member):
    return make_member(org_tree.branch_a, name="李秀英", gender="female")


@pytest.fixture
def participation(org_tree, member, staff_user):
    return participation_add(
        member=member,
        organization=org_tree.group_a1,
        role="组长",
        joined_on=datetime.date(2024, 3, 1),
        acting_user=staff_user,
    )


def _url(participation):
    return f"/members/{participation.member_id}/participations/{participation.pk}/end/"


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
    if expected == 302:
        assert "/accounts/login/" in response["Location"]
    if expected == 200:
        assert "结束在书画功能党小组的参与" in response.content.decode()


def test_member_page_links_to_the_end_page_for_those_who_may_change(
    client, participation, secretary_user, viewer_user
):
    client.force_login(secretary_user)
    page = client.get(f"/members/{participation.member_id}/").content.decode()
    assert _url(participation) in page
    assert "结束参与" in page
    client.force_login(viewer_user)
    page = client.get(f"/members/{participation.member_id}/").content.decode()
    assert "书画功能党小组" in page
    assert _url(participation) not in page


def test_secretary_ends_participation(client, participation, secretary_user):
    client.force_login(secretary_user)
    response = client.post(_url(participation), {"left_on": "2026-06-30"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/members/{participation.member_id}/"
    page = response.content.decode()
    assert "已结束在书画功能党小组的参与" in page
    assert "2026-06-30" in page
    participation.refresh_from_db()
    assert participation.left_on == datetime.date(2026, 6, 30)
    assert _url(participation) not in page  # no second end
    # the ended participation has no end page any more
    assert client.get(_url(participation)).status_code == 404


@pytest.mark.parametrize(
    "left_on,message",
    [
        ("2024-02-29", "退出日期不能早于加入日期（2024-03-01）"),
        (None, "退出日期不能晚于今天"),
        ("", "这个字段是必填项"),
        ("2026-13-40", "输入一个有效的日期"),
    ],
)
def test_bad_dates_refused_in_chinese_nothing_saved(
    client, participation, staff_user, left_on, message
):
    if left_on is None:
        left_on = f"{timezone.localdate() + datetime.timedelta(days=1):%Y-%m-%d}"
    client.force_login(staff_user)
    response = client.post(_url(participation), {"left_on": left_on})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Participation.objects.get(pk=participation.pk).left_on is None


def test_participation_of_another_member_is_404(
    client, org_tree, participation, make_member, staff_user
):
    other = make_member(org_tree.branch_a, name="张志明")
    client.force_login(staff_user)
    response = client.get(f"/members/{other.pk}/participations/{participation.pk}/end/")
    assert response.status_code == 404
