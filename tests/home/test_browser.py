"""Staff open 首页 in Chromium: the charts render, and a figure leads to its filtered list."""

import pytest
from django.core.cache import cache

from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_home_charts_render_and_a_figure_leads_to_its_list(page, staff_user, org_tree):
    cache.clear()
    browser_login(page, "staff")
    assert page.url.rstrip("/") == page.base_url
    assert page.get_by_role("heading", level=1).inner_text() == "首页"
    check_accessibility(page)

    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 2
    # Chart.js attached a chart to every canvas and drew it (non-zero size).
    drawn = page.evaluate(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".map(c => !!(window.Chart && window.Chart.getChart(c)) && c.width > 0)"
    )
    assert drawn and all(drawn), drawn
    assert page.locator("table.chart-table caption").count() == canvases.count()

    figure = page.locator('[data-kpi="established_branches"]')
    assert figure.inner_text() == "1"
    figure.click()
    page.wait_for_load_state()
    assert "/branches/" in page.url
    assert "category=established" in page.url and "kind=branch" in page.url
    content = page.content()
    assert "教育局离退休干部党支部" in content
    assert "阅海万家地缘党支部" not in content
    check_accessibility(page)
    assert page.console_errors == []


def test_reports_page_in_the_browser(page, staff_user, org_tree):
    browser_login(page, "staff")
    page.goto(page.base_url + "/reports/")
    assert page.get_by_role("heading", level=1).inner_text() == "报表"
    check_accessibility(page)
    assert page.console_errors == []
