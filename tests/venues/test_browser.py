"""A secretary finds a free room for 30 people, books it and sees it on the room's calendar;
a second secretary trying the same slot is told which booking is in the way."""

import pytest

from tests.conftest import browser_login, check_accessibility
from tests.venues.conftest import days_ahead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_book_see_and_collide(page, venue_setup, secretary_user, other_secretary):
    day = days_ahead(3)
    browser_login(page, "secretary")
    page.goto(page.base_url + "/venues/free/")
    check_accessibility(page)
    page.get_by_label("日期").fill(day.isoformat())
    page.locator("#id_start_time").fill("09:00")
    page.locator("#id_end_time").fill("11:00")
    page.get_by_label("人数").fill("30")
    page.get_by_role("button", name="查找", exact=True).click()
    page.wait_for_load_state()
    assert "1 个空闲活动室" in page.content()  # the 20-seat oath room is too small
    check_accessibility(page)
    page.get_by_role("link", name="预约 阅海万家社区党群服务站 · 多功能会议室").click()
    page.wait_for_load_state()
    check_accessibility(page)
    page.get_by_label("用途").fill("书画功能小组学习")
    page.get_by_role("button", name="预约", exact=True).click()
    page.wait_for_load_state()
    assert "预约成功" in page.content()
    check_accessibility(page)
    page.get_by_role("link", name="阅海万家社区党群服务站 · 多功能会议室").click()
    page.wait_for_load_state()
    day_card = page.locator(".week-calendar section").filter(has_text=f"{day.month}月{day.day}日")
    assert "书画功能小组学习" in day_card.inner_text()
    assert "09:00–11:00" in day_card.inner_text()
    check_accessibility(page)
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.console_errors == []

    page.context.clear_cookies()
    browser_login(page, "secretary_b")
    page.goto(
        page.base_url
        + f"/venues/rooms/{venue_setup.meeting.pk}/book/?date={day.isoformat()}"
        + "&start_time=10:00&end_time=12:00&attendees=25"
    )
    page.get_by_label("用途").fill("教育局支部党课")
    page.get_by_role("button", name="预约", exact=True).click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "与「书画功能小组学习」（阅海万家地缘党支部" in text
    assert "09:00–11:00）时间冲突" in text
    check_accessibility(page)
    assert page.console_errors == []
