"""The new-organization form in Chromium: only the fields that apply to the chosen kind and
category show (static/js/organization_form.js), and the parent is chosen by keyboard from the
search field (static/js/combobox.js); the page passes axe."""

import pytest

from branches.models import Organization
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_create_a_branch_choosing_the_parent_by_keyboard(page, staff_user, org_tree):
    browser_login(page, "staff")
    page.goto(page.base_url + "/branches/new/")
    check_accessibility(page)
    category = page.locator("#div_id_category")
    affinity = page.locator("#div_id_affinity")
    page.locator("select[name=kind]").select_option("working_committee")
    assert not category.is_visible() and not affinity.is_visible()
    page.locator("select[name=kind]").select_option("branch")
    assert category.is_visible() and not affinity.is_visible()
    page.locator("select[name=category]").select_option("three_affinity")
    assert affinity.is_visible()
    page.locator("select[name=affinity]").select_option("interest")
    check_accessibility(page)

    page.locator("input[name=name]").fill("键盘新建党支部")
    parent = page.get_by_role("combobox", name="上级组织")
    parent.fill("联合党委")
    page.locator("#id_parent_listbox [role=option]").first.wait_for()
    parent.press("ArrowDown")
    parent.press("Enter")
    assert parent.input_value() == f"{org_tree.joint.name} [{org_tree.joint.pk}]"
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()

    org = Organization.objects.get(name="键盘新建党支部")
    assert (org.parent_id, org.category, org.affinity) == (
        org_tree.joint.pk,
        "three_affinity",
        "interest",
    )
    assert page.console_errors == []
