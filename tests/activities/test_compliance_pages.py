"""Lists that stay small: the compliance board and the root organization's children are
paginated, with totals counted in SQL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty_branches(org_tree):
    return [
        make_org(
            name=f"分页党支部{n:02d}",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
        for n in range(30)
    ]


def test_compliance_board_is_paginated(client, staff_user, thirty_branches):
    client.force_login(staff_user)
    first = client.get(reverse("activities:compliance"))
    assert first.status_code == 200
    page = first.context["page_obj"]
    assert page.paginator.count >= 30
    assert len(page.object_list) == 25
    second = client.get(reverse("activities:compliance"), {"page": 2})
    shown = {s.organization.pk for s, _cells in first.context["rows"]}
    shown_next = {s.organization.pk for s, _cells in second.context["rows"]}
    assert shown and shown_next and not shown & shown_next


def test_root_organizations_children_are_paginated(client, staff_user, org_tree, thirty_branches):
    client.force_login(staff_user)
    url = reverse("branches:detail", args=[org_tree.committee.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["children_page"]
    assert page.paginator.count == 32  # 30 branches, the joint committee and branch B
    assert len(response.context["children"]) == 25
    content = response.content.decode()
    assert content.count('href="/branches/') < 32 + 20
    second = client.get(url, {"page": 2})
    assert len(second.context["children"]) == 7
    assert hasattr(second.context["children"][0], "needs_attention")
