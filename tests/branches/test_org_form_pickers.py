"""The organization form (issue 19): the parent is a search field resolved within the user's
scope; only the fields that apply to the chosen kind and category are kept (hidden by
static/js/organization_form.js, cleared by the server); no "---------" choices."""

from __future__ import annotations

import pytest
from django.urls import reverse

from branches.models import Organization

pytestmark = pytest.mark.django_db


def _post(client, **data):
    base = {"name": "新建测试党支部", "kind": "branch", "category": "established"}
    base.update(data)
    return client.post(reverse("branches:create"), base)


def test_the_form_has_a_parent_search_field_and_no_dashes(client, org_tree, staff_user):
    client.force_login(staff_user)
    html = client.get(reverse("branches:create")).content.decode()
    assert "---------" not in html
    assert 'name="parent"' in html and 'role="combobox"' in html
    assert reverse("branches:search") in html
    assert "js/organization_form.js" in html and "<details" in html
    assert (
        'data-category-kinds="' in html
        and "working_committee" not in html.split('data-category-kinds="')[1].split('"')[0]
    )
    assert org_tree.branch_b.name not in html  # no organization is listed


def test_staff_name_the_parent_by_typing_it(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = _post(client, parent=org_tree.committee.name)
    org = Organization.objects.get(name="新建测试党支部")
    assert response.status_code == 302
    assert org.parent == org_tree.committee


def test_what_does_not_apply_is_cleared_not_refused(client, org_tree, staff_user):
    client.force_login(staff_user)
    # An established branch with a stale affinity (a hidden field, sent without JavaScript).
    assert _post(client, parent=str(org_tree.committee.pk), affinity="interest").status_code == 302
    assert Organization.objects.get(name="新建测试党支部").affinity == ""
    # A working committee has no category: the stale one is dropped.
    response = _post(client, name="新工委", kind="working_committee", affinity="interest")
    assert response.status_code == 302
    committee = Organization.objects.get(name="新工委")
    assert (committee.category, committee.affinity) == ("", "")


def test_a_three_affinity_branch_still_needs_its_affinity(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = _post(client, parent=org_tree.joint.name, category="three_affinity")
    assert response.status_code == 200
    assert "affinity" in response.context["form"].errors
    assert not Organization.objects.filter(name="新建测试党支部").exists()


def test_a_secretary_cannot_name_a_parent_outside_their_subtree(client, org_tree, secretary_user):
    client.force_login(secretary_user)  # branch A's secretary
    response = _post(client, kind="party_group", category="three_affinity",
                     affinity="interest", parent=org_tree.branch_b.name)  # fmt: skip
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert "教育局离退休干部党支部" in response.context["form"].errors["parent"][0]
    response = _post(client, name="新功能党小组", kind="party_group", category="three_affinity",
                     affinity="interest", parent=str(org_tree.branch_a.pk))  # fmt: skip
    assert response.status_code == 302
    assert Organization.objects.get(name="新功能党小组").parent == org_tree.branch_a


def test_the_edit_form_shows_the_parent_by_name_and_number(client, org_tree, staff_user):
    client.force_login(staff_user)
    html = client.get(reverse("branches:edit", args=[org_tree.branch_b.pk])).content.decode()
    assert f"{org_tree.committee.name} [{org_tree.committee.pk}]" in html


def test_the_committee_seat_member_is_a_search_field(client, org_tree, staff_user):
    from branches.forms import PositionForm
    from core.widgets import SearchInput

    form = PositionForm(organization=org_tree.branch_a)
    assert isinstance(form.fields["member"].widget, SearchInput)
