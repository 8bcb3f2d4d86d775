"""The header and the task 首页 on a phone, in Chromium, with 大字: the header is compact (at
most 15% of a 375×667 screen), 大字 and 退出 are on the top bar, English is only in the account
menu, every control is at least 44 px high, and nothing scrolls sideways. The login page has
大字 too.

With SCREENSHOTS=1 the secretary's and the supervisor's 首页 are saved to docs/screenshots/
(README): `SCREENSHOTS=1 .venv/bin/pytest -p no:xdist tests/core/test_header_browser.py`.
"""

from __future__ import annotations

import datetime
import itertools
import os
from pathlib import Path

import pytest
from django.utils import timezone

from activities.services import activity_create
from core.models import User
from core.notifications import notify
from members.identity import make_id_number
from members.services import member_create
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
_NUMBERS = itertools.count(700)

# Every visible link and button of an element, with its height and words.
CONTROLS_JS = """(selector) => Array.from(document.querySelectorAll(selector))
  .flatMap(root => Array.from(root.querySelectorAll('a, button')))
  .filter(el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; })
  .map(el => ({name: (el.innerText || el.getAttribute('aria-label') || '').trim(),
               height: el.getBoundingClientRect().height}))"""


def controls(page, selector: str) -> list[dict]:
    return page.evaluate(CONTROLS_JS, selector)


def assert_tall_enough(page, selector: str) -> None:
    found = controls(page, selector)
    assert found, f"no controls in {selector}"
    short = [c for c in found if c["height"] < 44]
    assert short == [], f"controls under 44 px in {selector}: {short}"


def assert_no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width}px wide on a {inner}px screen"


def save_screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def large_text(user: User) -> User:
    user.large_text = True
    user.save(update_fields=["large_text", "full_name"])
    return user


def member(organization, acting_user, name: str, age: int):
    number = next(_NUMBERS)
    born = datetime.date(timezone.localdate().year - age, 1, 1 + number % 27)
    return member_create(
        acting_user=acting_user,
        organization=organization,
        name=name,
        gender="male",
        birth_date=born,
        id_number=make_id_number("640104", born, number, "male"),
        category="retired",
        confirmed_on=datetime.date(1985, 1, 1),
        joined_party_on=datetime.date(1966, 3, 1),
    )


@pytest.fixture
def busy_secretary(secretary_user, staff_user, org_tree):
    """The secretary of branch A with a meeting tomorrow, members due a visit and notices."""
    for name in ("王淑芬", "李德明", "张桂兰"):
        member(org_tree.branch_a, staff_user, name, 86)
    start = timezone.now() + datetime.timedelta(days=1)
    activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="十二月主题党日",
        start=start,
        end=start + datetime.timedelta(hours=2),
        acting_user=secretary_user,
    )
    notify(recipients=[secretary_user], kind="test", title="请于本周五前报送全年党费收缴台账")
    notify(recipients=[secretary_user], kind="test", title="关于开展冬季走访慰问的通知")
    secretary_user.full_name = "王建国"
    return large_text(secretary_user)


@pytest.fixture
def scoring_supervisor(supervisor_user, staff_user, org_tree):
    """A supervisor with three organizations to score in this year's round."""
    from assessment import services
    from tests.assessment.conftest import make_rubric
    from tests.factories import make_org

    year = timezone.localdate().year
    third = make_org(
        name="金凤区老年大学离退休干部党支部",
        kind="branch",
        category="three_affinity",
        affinity="interest",
        parent=org_tree.joint,
    )
    organizations = [org_tree.branch_a, org_tree.branch_b, third]
    round_ = services.round_create(
        year=year,
        title=f"{year} 年度考核",
        rubrics=[make_rubric(year, "three_affinity"), make_rubric(year, "established")],
        acting_user=staff_user,
    )
    services.round_set_scope(round=round_, organizations=organizations, acting_user=staff_user)
    services.round_assign(
        round=round_,
        organizations=organizations,
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    supervisor_user.full_name = "李文华"
    return large_text(supervisor_user)


def test_secretary_phone_header_and_home_with_large_text(page, busy_secretary):
    page.set_viewport_size(PHONE)
    browser_login(page, "secretary")
    assert "large-text" in page.locator("html").get_attribute("class")
    assert page.get_by_role("heading", level=1).inner_text() == "首页"

    header = page.evaluate("() => document.querySelector('header').getBoundingClientRect().height")
    assert header <= 0.15 * PHONE["height"], f"the header is {header}px high"
    # 大字 and 退出 on the top bar, without opening the menu; English is not there.
    assert page.get_by_role("button", name="大字").is_visible()
    assert page.get_by_role("button", name="退出登录").is_visible()
    assert not page.get_by_role("button", name="English").is_visible()
    assert_tall_enough(page, "header")

    # The task buttons, in the order a secretary needs them, each at least 44 px high.
    tasks = page.locator("[data-task]")
    assert tasks.first.inner_text().startswith("登记会议")
    labels = [text.split("\n")[0].strip() for text in tasks.all_inner_texts()]
    for label in ("登记会议", "考勤签到", "预约场地", "认领需求", "走访慰问", "通知"):
        assert label in labels, labels
    assert_tall_enough(page, ".task-grid")
    assert_tall_enough(page, "[data-todo]")
    assert "王淑芬" in page.locator('[data-todo="visits_due"]').inner_text()
    assert_no_sideways_scroll(page)
    save_screenshot(page, "home-secretary-375-large.png")
    check_accessibility(page)

    # English sits in the account section of the menu.
    page.get_by_role("button", name="打开菜单").click()
    english = page.get_by_role("button", name="English")
    english.wait_for(state="visible")
    assert_tall_enough(page, "#site-menu")
    assert_no_sideways_scroll(page)

    # One tap from 首页 to the QR code of tomorrow's meeting.
    page.get_by_role("button", name="打开菜单").click()
    page.locator('[data-task="signin"]').click()
    page.wait_for_load_state()
    assert "/signin/" in page.url
    assert page.console_errors == []


def test_supervisor_phone_home_lists_organizations_to_score(page, scoring_supervisor):
    page.set_viewport_size(PHONE)
    browser_login(page, "supervisor")
    rows = page.locator(".score-row")
    assert rows.count() == 3
    assert_tall_enough(page, ".score-list")
    assert_tall_enough(page, "header")
    assert_no_sideways_scroll(page)
    save_screenshot(page, "home-supervisor-375-large.png")
    check_accessibility(page)
    rows.first.get_by_role("link").click()
    page.wait_for_load_state()
    assert "/score/" in page.url
    assert page.console_errors == []


def test_large_text_on_the_login_page_carries_into_the_session(page, secretary_user):
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/accounts/login/")
    assert "large-text" not in (page.locator("html").get_attribute("class") or "")
    toggle = page.get_by_role("button", name="大字")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert toggle.bounding_box()["height"] >= 44
    toggle.click()
    assert "large-text" in page.locator("html").get_attribute("class")
    assert toggle.get_attribute("aria-pressed") == "true"
    page.reload()
    assert "large-text" in page.locator("html").get_attribute("class")  # drawn by the server
    check_accessibility(page)
    browser_login(page, "secretary")
    assert "large-text" in page.locator("html").get_attribute("class")
    secretary_user.refresh_from_db()
    assert secretary_user.large_text is True
    assert page.console_errors == []


def test_desktop_keeps_english_in_the_account_menu(page, secretary_user):
    browser_login(page, "secretary")
    assert not page.get_by_role("button", name="English").is_visible()
    assert_tall_enough(page, "header")
    page.get_by_role("button", name="我的账户").click()
    english = page.get_by_role("button", name="English")
    english.wait_for(state="visible")
    check_accessibility(page)
    english.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Home"
    assert page.console_errors == []
