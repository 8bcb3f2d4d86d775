"""A secretary books a room from 首页 on a phone (375 px, 大字): the taps and page loads it
takes are counted (not timed), and the booking is what was asked."""

from __future__ import annotations

import pytest

from tests.conftest import Taps, browser_login, check_accessibility
from tests.venues.conftest import days_ahead
from venues.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_books_a_room_from_home_on_a_phone(phone, venue_setup, secretary_user):
    page = phone
    secretary_user.large_text = True
    secretary_user.save(update_fields=["large_text"])
    browser_login(page, "secretary")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    taps = Taps(page)
    day = days_ahead(5)

    page.goto(page.base_url + "/")  # 1: 首页
    taps.click(page.get_by_role("link", name="预约场地").filter(visible=True).first)  # 2
    page.wait_for_load_state()
    taps.type_into(page.get_by_label("日期"), day.isoformat())
    taps.type_into(page.get_by_label("开始时间"), "09:00")
    taps.type_into(page.get_by_label("结束时间"), "11:00")
    taps.click(page.get_by_role("button", name="查找"))  # 3: the free rooms
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_accessibility(page)
    taps.click(page.get_by_role("link", name=f"预约 {venue_setup.meeting}"))  # 4: the form
    page.wait_for_load_state()
    assert page.get_by_label("日期").input_value() == day.isoformat()
    taps.type_into(page.get_by_label("用途"), "支部主题党日")
    if not page.get_by_label("预计人数").input_value():
        taps.type_into(page.get_by_label("预计人数"), "10")
    taps.click(page.locator("main").get_by_role("button", name="预约", exact=True))  # 5: saved
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    booking = Booking.objects.get()
    assert (booking.room, booking.purpose) == (venue_setup.meeting, "支部主题党日")
    assert booking.organization == secretary_user.organization
    assert booking.start.astimezone().date() == day
    assert taps.count <= 9, f"{taps.count} taps"
    assert len(loads) <= 5, f"{len(loads)} page loads: {loads}"
    assert page.console_errors == []
