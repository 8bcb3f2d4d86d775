"""A secretary on a phone (375 px) opens the care list from 首页, records a visit to a member
due one in under six taps and typed fields, and sees it on the member's page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from members.identity import make_id_number
from members.services import member_create
from tests.conftest import ARTIFACTS, browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def due_member(org_tree, staff_user):
    """A member of the secretary's branch who turns 80 this month (逢十寿辰)."""
    today = timezone.localdate()
    born = datetime.date(today.year - 80, today.month, 1)
    return member_create(
        acting_user=staff_user,
        organization=org_tree.branch_a,
        name="白寿星",
        gender="female",
        birth_date=born,
        id_number=make_id_number("640104", born, 21, "female"),
        category="retired",
    )


def test_record_a_visit_from_the_home_page_on_a_phone(page, secretary_user, due_member):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "secretary")
    actions = 0

    def tap(locator):
        nonlocal actions
        actions += 1
        locator.click()
        page.wait_for_load_state()

    def type_into(locator, text):
        nonlocal actions
        actions += 1
        locator.fill(text)

    page.goto(page.base_url + "/")
    tap(page.locator("[data-link=care]"))
    assert "/members/care/" in page.url
    row = page.locator(f"[data-member='{due_member.pk}']")
    assert "80" in row.inner_text()  # the reason: turns 80 this month
    check_accessibility(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the care list is {width}px wide on a 375px screen"

    tap(row.get_by_role("link", name="记录走访"))
    type_into(page.get_by_label("走访人员"), "支部书记王建国")
    type_into(page.get_by_label("慰问物品"), "生日蛋糕")
    tap(page.get_by_role("button", name="保存走访记录"))

    assert actions < 6, actions
    assert page.url.rstrip("/").endswith(f"/members/{due_member.pk}")
    visits = page.locator("#care-visits")
    assert "支部书记王建国" in visits.inner_text()
    assert "生日蛋糕" in visits.inner_text()
    assert "生日/逢十寿辰慰问" in visits.inner_text()  # the kind the list suggested
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "care-visit-375.png"), full_page=True)
