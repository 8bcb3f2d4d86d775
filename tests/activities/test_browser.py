"""A secretary logs a 支委会 with attendance on a phone and sees it counted."""

import pytest
from django.utils import timezone

from activities.services import activity_create, required_frequencies_ensure_defaults
from core.actors import system_actor
from tests.activities.conftest import make_member
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_logs_committee_meeting_on_phone_and_board_counts_it(
    page, org_tree, secretary_user, staff_user
):
    required_frequencies_ensure_defaults()  # transactional tests flush the data migration
    members = [
        make_member(org_tree.branch_a, name, acting_user=staff_user)
        for name in ("王建国", "李秀英", "张志明")
    ]
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "secretary")

    page.goto(page.base_url + "/activities/compliance/")
    board = page.get_by_role("table", name="各组织已召开与应召开次数")
    row = board.get_by_role("row").filter(has_text="阅海万家地缘党支部")
    before = row.inner_text()
    check_accessibility(page)

    page.goto(page.base_url + "/activities/")
    check_accessibility(page)
    page.get_by_role("link", name="登记会议").click()
    assert page.get_by_role("heading", level=1).inner_text() == "登记会议"
    check_accessibility(page)
    page.get_by_label("支委会").check()
    page.get_by_label("日期").fill(timezone.localdate().isoformat())
    page.get_by_role("textbox", name="主题").fill("学习党章第三章")
    # one list, everyone present by default (#19): only the exception is marked
    excused = page.locator(f'[data-member-id="{members[2].pk}"]').get_by_text("请假", exact=True)
    excused.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"meeting log is {width}px wide on a 375px screen"
    box = excused.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # big toggles
    page.get_by_role("button", name="保存会议记录").click()

    assert "已记录：出席 2 人" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "学习党章第三章"
    content = page.content()
    assert "已举行" in content and "李秀英" in content and "身体原因" in content
    check_accessibility(page)

    page.goto(page.base_url + "/activities/compliance/")
    board = page.get_by_role("table", name="各组织已召开与应召开次数")
    row = board.get_by_role("row").filter(has_text="阅海万家地缘党支部")
    after = row.inner_text()
    assert after != before
    cells = row.get_by_role("cell").all_inner_texts()
    headers = board.get_by_role("columnheader").all_inner_texts()
    committee = cells[headers.index("支委会") - 1]
    assert committee.strip().startswith("1 /"), committee
    check_accessibility(page)
    assert page.console_errors == []


def test_other_activities_pages_are_accessible(page, org_tree, staff_user):
    from tests.activities.conftest import at

    required_frequencies_ensure_defaults()
    make_member(org_tree.branch_a, "王建国", acting_user=staff_user)
    activity = activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        co_hosts=[org_tree.branch_b],
        title="联办主题党日",
        start=at(2025, 7, 1),
        end=at(2025, 7, 1, 11),
        status="held",
        agenda="重温入党誓词",
        acting_user=system_actor(),
    )
    browser_login(page, "staff")
    for path, heading in (
        ("/activities/calendar/?month=2025-07", "活动日历"),
        (f"/activities/{activity.pk}/", "联办主题党日"),
        (f"/activities/{activity.pk}/attendance/", "登记出勤"),
        (f"/activities/{activity.pk}/edit/", "修改活动"),
        ("/activities/new/", "新建活动"),
        (f"/activities/compliance/{org_tree.branch_a.pk}/?year=2025", "阅海万家地缘党支部"),
        ("/activities/requirements/", "规定频次"),
        ("/activities/training/", "党员联培"),
        ("/activities/training/new/", "新建培训"),
        ("/activities/contests/", "微党课评选"),
        ("/activities/lectures/", "宣讲团"),
        ("/activities/volunteer-hours/", "志愿服务时长"),
    ):
        page.goto(page.base_url + path)
        assert heading in page.get_by_role("heading", level=1).inner_text(), path
        check_accessibility(page)
    assert "联办主题党日" in page.goto(page.base_url + "/activities/calendar/?month=2025-07").text()
    assert page.console_errors == []
