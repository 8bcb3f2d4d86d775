"""The first journey in a real browser: log in, land on 首页 in Chinese, log out."""

import pytest

from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_logs_in_lands_on_home_in_chinese_and_logs_out(page, secretary_user):
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url
    check_accessibility(page)

    browser_login(page, "secretary")
    assert page.url.rstrip("/") == page.base_url
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "首页"
    assert "阅海万家地缘党支部" in page.content()
    check_accessibility(page)

    page.get_by_role("button", name="大字").click()
    assert "large-text" in page.locator("html").get_attribute("class")
    check_accessibility(page)

    page.get_by_role("button", name="退出登录").click()
    assert "/accounts/login/" in page.url
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url
    assert page.console_errors == []


def test_phone_width_menu_works(page, secretary_user):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "secretary")
    page.get_by_role("button", name="打开菜单").click()
    page.get_by_role("link", name="组织", exact=True).click()
    page.wait_for_url("**/branches/")
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"
    check_accessibility(page)


def test_wrong_password_in_browser(page, secretary_user):
    browser_login(page, "secretary", password="not-the-password")
    assert "/accounts/login/" in page.url
    assert "请输入一个正确的" in page.get_by_role("alert").inner_text()
