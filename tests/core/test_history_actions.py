"""Every history row names the action that wrote it (core.history)."""

import pytest

from branches.models import Organization
from branches.services import organization_dissolve, organization_update
from core.history import save_with_action
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def reasons(obj) -> list[str]:
    return list(obj.history.order_by("history_id").values_list("history_change_reason", flat=True))


def test_services_name_their_actions_and_a_plain_save_gets_a_default(org_tree, staff_user):
    org = make_org(
        name="测试党支部", kind="branch", category="established", parent=org_tree.committee
    )
    organization_update(organization=org, acting_user=staff_user, name="测试第二党支部")
    org.refresh_from_db()
    organization_dissolve(
        organization=org, acting_user=staff_user, dissolved_on=org.created_at.date()
    )
    org.refresh_from_db()
    org.name = "改名"
    org.save()  # a write outside a service (the admin, a shell)
    assert reasons(org) == [
        "branches.organization.create",
        "branches.organization.place",
        "branches.organization.update",
        "branches.organization.dissolve",
        "branches.organization.update",
    ]


def test_the_action_name_belongs_to_one_save_only(org_tree):
    org = Organization.objects.get(pk=org_tree.branch_a.pk)
    save_with_action(org, "test.rename")
    org.save()
    assert reasons(org)[-2:] == ["test.rename", "branches.organization.update"]


def test_moving_a_subtree_writes_a_history_row_for_every_descendant(org_tree, staff_user):
    parent = make_org(
        name="新党总支", kind="general_branch", category="established", parent=org_tree.committee
    )
    child = make_org(name="子党支部", kind="branch", category="established", parent=parent)
    organization_update(
        organization=parent, acting_user=staff_user, parent=org_tree.branch_a.parent
    )
    child.refresh_from_db()
    assert child.path.startswith(parent.__class__.objects.get(pk=parent.pk).path)
    assert reasons(child)[-1] == "branches.organization.move_with_parent"
