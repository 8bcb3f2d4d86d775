"""The claim journey in a real browser: a liaison posts a need, a secretary claims it, the
liaison accepts, and the activity appears on the secretary's activity list."""

from __future__ import annotations

import pytest

from tests.alliance.helpers import build_world, days
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "社区防诈骗知识宣讲"


def logout(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_liaison_posts_secretary_claims_liaison_accepts_activity_listed(
    page, org_tree, liaison_user, secretary_user
):
    world = build_world(org_tree, liaison_user)

    # The liaison posts a need.
    browser_login(page, "liaison")
    page.goto(page.base_url + "/alliance/needs/")
    check_accessibility(page)
    page.get_by_role("link", name="发布需求").click()
    check_accessibility(page)
    # A search field (core.widgets); the server reads "name [number]" as typed or chosen.
    page.get_by_label("社区党组织").fill(f"{world.community_org.name} [{world.community_org.pk}]")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("类别").select_option("lecture")
    page.get_by_label("需求日期").fill(days(10).isoformat())
    page.get_by_label("需要人数").fill("2")
    page.get_by_label("宣讲").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert "需求已发布" in page.content()
    check_accessibility(page)
    logout(page)

    # The secretary of branch A claims it.
    browser_login(page, "secretary")
    page.goto(page.base_url + "/alliance/needs/")
    page.get_by_role("link", name=TITLE).click()
    check_accessibility(page)
    page.get_by_label("可派出人数").fill("2")
    page.get_by_role("button", name="认领", exact=True).click()
    page.wait_for_load_state()
    assert "认领已提交" in page.content()
    assert "待处理" in page.content()
    logout(page)

    # The liaison accepts it from the claim inbox.
    browser_login(page, "liaison")
    page.goto(page.base_url + "/alliance/claims/")
    check_accessibility(page)
    assert "阅海万家地缘党支部" in page.content()
    page.get_by_role("button", name="接受").click()
    page.wait_for_load_state()
    assert "已接受认领" in page.content()
    check_accessibility(page)
    logout(page)

    # The activity is on the secretary's activity list.
    browser_login(page, "secretary")
    page.goto(page.base_url + "/activities/")
    check_accessibility(page)
    assert page.get_by_role("link", name=TITLE).count() >= 1
    assert page.console_errors == []
