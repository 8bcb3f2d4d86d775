"""The co-host search field finds any active organization (asking one to co-host is a request
its secretary answers), while the general organization search stays within the user's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _labels(response) -> list[str]:
    return [row["label"] for row in response.json()["results"]]


def test_a_secretary_finds_another_branch_to_ask(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    other = org_tree.branch_b.name
    assert secretary_user.organization != org_tree.branch_b
    # The organization search is scoped: the other branch is not there…
    scoped = client.get(reverse("branches:search"), {"q": other[:4]})
    assert not any(label.startswith(other) for label in _labels(scoped))
    # …the co-host search offers it, by name and by number.
    found = client.get(reverse("activities:cohost_search"), {"q": other[:4]})
    assert any(label.startswith(other) for label in _labels(found))
    by_number = client.get(reverse("activities:cohost_search"), {"q": f"#{org_tree.branch_b.pk}"})
    assert [row["id"] for row in by_number.json()["results"]][:1] == [org_tree.branch_b.pk]


def test_the_co_host_fields_use_it(client, secretary_user):
    client.force_login(secretary_user)
    page = client.get(reverse("activities:create")).content.decode()
    assert reverse("activities:cohost_search") in page
    assert client.post(reverse("activities:cohost_search"), {"q": "x"}).status_code == 405
