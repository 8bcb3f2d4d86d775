"""/branches/search/: the organization picker's search, within the user's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_org

pytestmark = pytest.mark.django_db


def search(client, q):
    response = client.get(reverse("branches:search"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("branches:search"), {"q": "党"})
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_staff_finds_by_part_of_the_name_and_by_number(client, org_tree, staff_user):
    client.force_login(staff_user)
    names = {row["label"].split("（")[0] for row in search(client, "党支部")}
    assert names == {"阅海万家地缘党支部", "教育局离退休干部党支部"}
    (row,) = search(client, str(org_tree.branch_b.pk))
    assert row["id"] == org_tree.branch_b.pk
    assert row["value"] == f"教育局离退休干部党支部 [{org_tree.branch_b.pk}]"


def test_secretary_never_gets_another_subtree(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    ids = {row["id"] for row in search(client, "党")}
    assert org_tree.branch_a.pk in ids
    assert org_tree.branch_b.pk not in ids
    assert org_tree.committee.pk not in ids
    assert search(client, str(org_tree.branch_b.pk)) == []


def test_at_most_twenty_results(client, org_tree, staff_user):
    for n in range(25):
        make_org(
            name=f"搜索党小组{n}",
            kind="party_group",
            category="established",
            parent=org_tree.branch_b,
        )
    client.force_login(staff_user)
    assert len(search(client, "搜索党小组")) == 20


def test_empty_query_returns_nothing(client, org_tree, staff_user):
    client.force_login(staff_user)
    assert search(client, "  ") == []
