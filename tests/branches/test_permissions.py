"""Every role on every organization page: anonymous → login, out of scope → 404,
visible but not changeable → 403."""

import pytest
from django.urls import reverse

from branches.models import Organization

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "secretary", "other_secretary", "supervisor", "liaison", "viewer"]

# page → expected status per role (branch A is the secretary's, branch B the other's)
TABLE = {
    "list": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 200,
        "supervisor": 200,
        "liaison": 200,
        "viewer": 200,
    },
    "tree": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 200,
        "supervisor": 200,
        "liaison": 200,
        "viewer": 200,
    },
    "export": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 200,
        "supervisor": 200,
        "liaison": 200,
        "viewer": 200,
    },
    "detail_a": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 404,
        "supervisor": 200,
        "liaison": 200,
        "viewer": 200,
    },
    "detail_group": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 404,
        "supervisor": 200,
        "liaison": 200,
        "viewer": 200,
    },
    "detail_joint": {
        "staff": 200,
        "secretary": 404,
        "other_secretary": 404,
        "supervisor": 200,
        "liaison": 200,
        "viewer": 200,
    },
    "edit_a": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 404,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 403,
    },
    "edit_group": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 404,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 403,
    },
    "edit_b": {
        "staff": 200,
        "secretary": 404,
        "other_secretary": 200,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 403,
    },
    "create": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 200,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 403,
    },
    "create_under_b": {
        "staff": 200,
        "secretary": 404,
        "other_secretary": 200,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 403,
    },
    "dissolve_a": {
        "staff": 200,
        "secretary": 403,
        "other_secretary": 404,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 403,
    },
    "term_create_a": {
        "staff": 200,
        "secretary": 200,
        "other_secretary": 404,
        "supervisor": 403,
        "liaison": 403,
        "viewer": 403,
    },
}


def url_for(page, tree):
    a, b = tree.branch_a.pk, tree.branch_b.pk
    return {
        "list": reverse("branches:list"),
        "tree": reverse("branches:tree"),
        "export": reverse("branches:export"),
        "detail_a": reverse("branches:detail", args=[a]),
        "detail_group": reverse("branches:detail", args=[tree.group_a1.pk]),
        "detail_joint": reverse("branches:detail", args=[tree.joint.pk]),
        "edit_a": reverse("branches:edit", args=[a]),
        "edit_group": reverse("branches:edit", args=[tree.group_a1.pk]),
        "edit_b": reverse("branches:edit", args=[b]),
        "create": reverse("branches:create"),
        "create_under_b": reverse("branches:create") + f"?parent={b}",
        "dissolve_a": reverse("branches:dissolve", args=[a]),
        "term_create_a": reverse("branches:term_create", args=[a]),
    }[page]


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


@pytest.mark.parametrize("page", list(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(client, org_tree, users, page, role):
    url = url_for(page, org_tree)
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == TABLE[page][role]


def test_secretary_cannot_post_an_edit_to_another_branch(client, org_tree, other_secretary):
    client.force_login(other_secretary)
    response = client.post(
        reverse("branches:edit", args=[org_tree.branch_a.pk]), {"name": "改名", "annual_theme": "x"}
    )
    assert response.status_code == 404
    org_tree.branch_a.refresh_from_db()
    assert org_tree.branch_a.name == "阅海万家地缘党支部"


def test_secretary_cannot_create_outside_their_subtree(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    response = client.post(
        reverse("branches:create"),
        {
            "name": "越界党小组",
            "kind": "party_group",
            "category": "established",
            "parent": org_tree.branch_b.pk,
        },
    )
    assert response.status_code == 200  # not offered: a form error on the parent field
    assert "parent" in response.context["form"].errors

    assert not Organization.objects.filter(name="越界党小组").exists()


def test_viewer_cannot_post_a_dissolve(client, org_tree, viewer_user):
    client.force_login(viewer_user)
    response = client.post(
        reverse("branches:dissolve", args=[org_tree.group_a1.pk]), {"dissolved_on": "2026-11-01"}
    )
    assert response.status_code == 403
    org_tree.group_a1.refresh_from_db()
    assert org_tree.group_a1.status == "active"
