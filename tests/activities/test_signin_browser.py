"""A member signs in to a meeting on a phone by opening the QR code's link; the secretary's
attendance page shows it. The sign-in sheet prints on one A4 page for up to 25 names."""

import datetime
import re

import pytest
from django.utils import timezone

from activities.services import activity_create
from activities.services.signin import signin_token
from tests.activities.conftest import make_member
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting_with_members(org_tree, secretary_user, staff_user):
    members = [
        make_member(org_tree.branch_a, name, acting_user=staff_user, phone=f"1380013{n:04d}")
        for n, name in enumerate(("王建国", "李秀英", "张志明"), start=21)
    ]
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
    meeting = activity_create(
        type="general_meeting",
        organization=org_tree.branch_a,
        title="第三季度支部党员大会",
        start=start,
        end=start + datetime.timedelta(hours=2),
        acting_user=secretary_user,
    )
    return meeting, members


def test_member_signs_in_by_the_qr_link_and_the_secretary_sees_it(
    page, _browser, live_server, meeting_with_members
):
    meeting, members = meeting_with_members
    # The secretary opens the QR code page; the link under the code is what the phone opens.
    browser_login(page, "secretary")
    page.goto(f"{page.base_url}/activities/{meeting.pk}/signin/")
    assert page.locator("#signin-qr svg").is_visible()
    link = page.locator("#signin-link").get_attribute("href")
    assert signin_token(meeting) in link

    # The member's phone: no account, 375 px.
    phone = _browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    member_page = phone.new_page()
    member_page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
    assert member_page.get_by_role("heading", level=1).inner_text() == "签到"
    check_accessibility(member_page)
    width = member_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the sign-in page is {width}px wide on a 375px screen"
    name = member_page.get_by_text("李秀英", exact=True)
    box = name.bounding_box()
    assert box["height"] >= 44  # a big target
    name.click()
    member_page.get_by_label("第二步：输入手机号码后 4 位").fill("9999")
    member_page.get_by_role("button", name="确认签到").click()
    assert "不一致" in member_page.get_by_role("alert").inner_text()
    member_page.get_by_text("李秀英", exact=True).click()
    member_page.get_by_label("第二步：输入手机号码后 4 位").fill(members[1].phone[-4:])
    member_page.get_by_role("button", name="确认签到").click()
    assert "签到成功" in member_page.locator("#signin-done").inner_text()
    member_page.screenshot(path="test-artifacts/signin_375.png", full_page=True)
    phone.close()

    # The secretary's attendance page shows it (the live poll marks the row).
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{page.base_url}/activities/{meeting.pk}/attendance/")
    row = page.locator(f'[data-member-id="{members[1].pk}"]')
    assert "已签到" in row.locator(".signin-badge").inner_text()
    assert row.locator('input[value="present"]').is_checked()
    assert not page.locator(f'[data-member-id="{members[0].pk}"] .signin-badge').count()
    assert page.console_errors == []


def test_sign_in_sheet_prints_on_one_a4_page(page, org_tree, staff_user, secretary_user):
    for n in range(25):
        make_member(org_tree.branch_a, f"党员{n:02d}号", acting_user=staff_user)
    start = timezone.now() + datetime.timedelta(days=1)
    meeting = activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="主题党日：重温入党誓词",
        start=start,
        end=start + datetime.timedelta(hours=2),
        acting_user=secretary_user,
    )
    browser_login(page, "secretary")
    page.goto(f"{page.base_url}/activities/{meeting.pk}/signin/sheet/")
    assert page.locator("tbody tr").count() == 25
    pdf = page.pdf(prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the sheet of 25 names takes {pages} pages"
    box = re.search(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert box, "no page size in the PDF"
    width, height = float(box.group(1)), float(box.group(2))
    assert abs(width - 595) < 2 and abs(height - 842) < 2, (width, height)  # A4 in points
