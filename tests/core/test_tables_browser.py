"""Tables that fit: every role's list and report pages in real Chromium at 375 px (大字 off
and on) and at 1280 px — no serious or critical axe-core violation (scrollable-region-focusable
included), nothing reaching past the right edge of the screen unless it sits in a keyboard-
focusable scroll box with a visible "scroll →" cue, and every page under 150 KB.

A fixed list of the list and report pages (by URL name); a page a role may not open (403,
404, a redirect to 首页) is skipped for that role, and each role must reach enough of them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from core.actors import system_actor
from tests.alliance.helpers import make_member
from tests.conftest import AXE_JS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_PAGE_BYTES = 150 * 1024
AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

LIST_PAGES = [
    "home",
    "branches:list",
    "branches:elections",
    "branches:funds_overview",
    "members:list",
    "members:transfers",
    "members:care",
    "members:care_summary",
    "members:dues",
    "members:talent",
    "activities:list",
    "activities:calendar",
    "activities:compliance",
    "activities:training",
    "activities:volunteer_hours",
    "activities:points",
    "venues:list",
    "venues:bookings",
    "venues:stats",
    "alliance:registry",
    "alliance:need_list",
    "alliance:resource_list",
    "alliance:studio_list",
    "alliance:document_list",
    "assessment:round_list",
    "assessment:results",
    "assessment:rubric_list",
    "assessment:my_assignments",
    "assessment:inspection_list",
    "reports:index",
    "jobs:list",
]
ROLES = {  # role → (user fixture, the fewest pages it must reach)
    "staff": ("staff_user", 20),
    "secretary": ("secretary_user", 10),
    "supervisor": ("supervisor_user", 5),
    "liaison": ("liaison_user", 5),
    "viewer": ("viewer_user", 10),
}

# Elements reaching past the right edge of the viewport that are neither clipped by an
# ancestor nor inside a focusable scroll box whose "scroll →" cue is showing.
CUT_OFF_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.position === "fixed") continue;
    let ancestor = el.parentElement, held = false;
    while (ancestor && ancestor !== document.body) {
      const overflow = getComputedStyle(ancestor).overflowX;
      if (overflow !== "visible" && ancestor.getBoundingClientRect().right <= width + 1) {
        if (overflow === "hidden" || overflow === "clip") { held = true; break; }
        const cue = ancestor.previousElementSibling;
        const cued = cue && cue.classList.contains("scroll-cue") && !cue.hidden &&
          cue.getBoundingClientRect().height > 0;
        held = ancestor.tabIndex >= 0 && ancestor.hasAttribute("aria-label") && cued;
        if (!held) found.push(describe(el) + " in a scroll box without focus, label or cue: " + describe(ancestor));
        held = true;
        break;
      }
      ancestor = ancestor.parentElement;
    }
    if (!held) found.push(describe(el) + " ends at " + Math.round(box.right) + "px");
    if (found.length >= 8) break;
  }
  return found;
}
"""


@pytest.fixture
def tables_world(org_tree):
    """Rows for the tables: members with long names and addresses, today's activities."""
    for number in range(12):
        make_member(
            org_tree.branch_a if number % 2 else org_tree.branch_b,
            name=f"欧阳建国{number:02d}",
            phone=f"139{number:08d}",
            address="银川市金凤区阅海万家小区十二号楼三单元五零二室",
        )
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for number in range(3):
        activity_services.activity_create(
            type="culture",
            organization=org_tree.branch_a,
            title=f"重温入党誓词暨主题党日活动（第{number + 1}期）",
            start=start + datetime.timedelta(hours=8 + number),
            end=start + datetime.timedelta(hours=10 + number),
            status="planned",
            acting_user=system_actor(),
        )
    return org_tree


def large_text(page, on: bool) -> None:
    """Switch 大字 on or off with the header's own form (whatever the header looks like)."""
    is_on = "large-text" in (page.locator("html").get_attribute("class") or "")
    if is_on != on:
        # Wait for the navigation the submit starts (wait_for_load_state alone can return
        # before it begins, and the next goto is then aborted by it: seen under load).
        with page.expect_navigation():
            page.evaluate("document.querySelector(\"form[action$='/large-text/']\").submit()")
        page.wait_for_load_state()


def check_page(page, url: str) -> list[str]:
    """Visit `url` and return what is wrong with it (empty: nothing); None when the role
    may not open it."""
    response = page.goto(url)
    if response is None or response.status != 200 or page.url.rstrip("/") != url.rstrip("/"):
        return None
    page.wait_for_load_state("load")
    problems = []
    size = len(response.body())
    if size > MAX_PAGE_BYTES:
        problems.append(f"{size // 1024} KB")
    problems += page.evaluate(CUT_OFF_JS)
    page.evaluate(AXE_SOURCE)  # through DevTools: the portal's CSP refuses inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems += [
        f"axe {v['id']} ({v['impact']}): "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    return problems


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_list_page_fits_phone_and_desktop(page, request, tables_world, role):
    fixture, fewest = ROLES[role]
    user = request.getfixturevalue(fixture)
    browser_login(page, user.username)
    urls = [page.base_url + reverse(name) for name in LIST_PAGES]
    failures: dict[str, list[str]] = {}
    reached = []
    for label, viewport, big in (
        ("1280", DESKTOP, False),
        ("375", PHONE, False),
        ("375 大字", PHONE, True),
    ):
        page.set_viewport_size(viewport)
        page.goto(page.base_url + "/")
        large_text(page, big)
        for url in urls:
            problems = check_page(page, url)
            if problems is None:
                continue
            if label == "1280":
                reached.append(url)
            if problems:
                failures[f"{label} {url.removeprefix(page.base_url)}"] = problems
    large_text(page, False)
    assert len(reached) >= fewest, f"{role} reached only {reached}"
    assert not failures, "\n".join(f"{where}: {'; '.join(p)}" for where, p in failures.items())
    # the pages this role may not open answer 403/404 on purpose: the browser logs them
    errors = [e for e in page.console_errors if not re.search(r"status of 40[34]", e)]
    assert errors == []


def test_a_list_table_becomes_labelled_cards_on_a_phone(page, tables_world, staff_user):
    browser_login(page, "staff")
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + reverse("members:list"))
    table = page.locator("main table.table-stack").first
    cell = table.locator("tbody tr").first.locator("td, th").nth(1)
    label = cell.get_attribute("data-label")
    assert label, "the cell carries its column's heading"
    before = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label in before
    assert cell.evaluate("el => getComputedStyle(el).display") == "block"
    box = table.locator("xpath=..")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide"


def test_the_calendar_is_a_day_list_on_a_phone(page, tables_world, staff_user):
    browser_login(page, "staff")
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + reverse("activities:calendar"))
    days = page.locator("ol.calendar-days")
    assert days.is_visible()
    assert not page.locator("table.calendar-table").is_visible()
    assert "重温入党誓词" in days.inner_text()
    page.set_viewport_size(DESKTOP)
    assert page.locator("table.calendar-table").is_visible()
    assert not days.is_visible()


PRINTED_JS = """
() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const width = document.documentElement.clientWidth;
  return {
    nav: [...document.querySelectorAll("header, nav, .breadcrumb, footer")].filter(shown).length,
    buttons: [...document.querySelectorAll(".btn, button")].filter(shown).length,
    cut: [...document.querySelectorAll("main table, main td, main th")]
      .filter((el) => el.getBoundingClientRect().right > width + 1).length,
    scrolling: [...document.querySelectorAll(".table-responsive")]
      .filter((el) => getComputedStyle(el).overflowX !== "visible").length,
    rows: [...document.querySelectorAll("main tr")]
      .filter((el) => getComputedStyle(el).breakInside !== "avoid").length,
  };
}
"""


def test_the_organization_page_and_the_sign_in_sheet_print_clean(page, tables_world, staff_user):
    """Printed (print media, A4 portrait's width at 96 dpi): no header, menus or buttons; the
    tables whole, not scrolled nor cut; no row split over two pages."""
    from activities.models import Activity

    browser_login(page, "staff")
    page.set_viewport_size({"width": 718, "height": 1000})
    page.emulate_media(media="print")
    activity = Activity.objects.filter(organization=tables_world.branch_a).first()
    for url in (
        reverse("branches:detail", args=[tables_world.branch_a.pk]),
        reverse("activities:signin_sheet", args=[activity.pk]),
    ):
        page.goto(page.base_url + url)
        printed = page.evaluate(PRINTED_JS)
        assert printed == {"nav": 0, "buttons": 0, "cut": 0, "scrolling": 0, "rows": 0}, url
