"""/members/search/: the member picker's search — the user's members only, name and
organization only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.branches.conftest import add_members

pytestmark = pytest.mark.django_db


def search(client, q):
    response = client.get(reverse("members:search"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_another_organizations_member_is_never_returned(client, org_tree, other_secretary):
    (member_a,) = add_members(org_tree.branch_a, 1)
    (member_b,) = add_members(org_tree.branch_b, 1)
    client.force_login(other_secretary)
    ids = {row["id"] for row in search(client, "党员")}
    assert member_b.pk in ids
    assert member_a.pk not in ids
    assert search(client, str(member_a.pk)) == []
    assert search(client, member_a.name) == []


def test_by_pinyin_initials_and_number(client, org_tree, staff_user):
    (member,) = add_members(org_tree.branch_a, 1)
    member.name = "张三丰"
    member.save()
    client.force_login(staff_user)
    assert [row["id"] for row in search(client, "zsf")] == [member.pk]
    assert [row["id"] for row in search(client, str(member.pk))] == [member.pk]


def test_viewer_gets_nothing_but_name_and_organization(client, org_tree, viewer_user):
    (member,) = add_members(org_tree.branch_a, 1)
    client.force_login(viewer_user)
    (row,) = search(client, member.name)
    assert set(row) == {"id", "label", "value"}
    assert row["label"] == f"{member.name}（{org_tree.branch_a.name}）"
    assert member.id_number not in str(row)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("members:search"), {"q": "zs"})
    assert response.status_code == 302
