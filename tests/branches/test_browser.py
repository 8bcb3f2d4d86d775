"""A secretary changes their branch's annual theme and sees it on the organization page."""

import pytest

from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_changes_the_annual_theme(page, secretary_user, org_tree):
    browser_login(page, "secretary")
    page.goto(page.base_url + "/branches/")
    check_accessibility(page)
    page.get_by_role("link", name="阅海万家地缘党支部").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "阅海万家地缘党支部"
    check_accessibility(page)

    page.get_by_role("link", name="编辑").click()
    page.wait_for_load_state()
    check_accessibility(page)
    page.get_by_text("更多信息（选填）").click()  # the optional records are folded away
    page.get_by_label("年度主题", exact=True).fill("银发生辉 共建幸福阅海")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()

    assert page.url.endswith(f"/branches/{org_tree.branch_a.pk}/")
    assert "修改已保存" in page.get_by_role("status").inner_text()
    assert page.locator("#annual-theme").inner_text() == "银发生辉 共建幸福阅海"
    check_accessibility(page)

    page.goto(page.base_url + "/branches/tree/")
    page.get_by_text("下属组织 1 个").click()  # closes branch A's groups
    assert not page.get_by_role("link", name="书画功能党小组").is_visible()
    check_accessibility(page)
    assert page.console_errors == []

    response = page.goto(page.base_url + f"/branches/{org_tree.branch_b.pk}/")
    assert response.status == 404  # another organization: not found, nothing leaks
    assert "教育局" not in page.content()
