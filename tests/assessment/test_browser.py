"""The journey in a real browser: a supervisor scores a branch from the evidence, bureau staff
finalize the round and download the score sheet, which is opened and checked."""

import pytest
from openpyxl import load_workbook

from assessment import services
from branches.models import Organization
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def round_for_branch_b(org_tree, staff_user, supervisor_user):
    from tests.assessment.conftest import make_rubric

    Organization.objects.filter(pk=org_tree.branch_b.pk).update(
        has_theme=True, has_plan=True, has_venue=True
    )
    rubric = make_rubric(2026, "established")
    round_ = services.round_create(
        year=2026, title="2026 年度考核", rubrics=[rubric], acting_user=staff_user
    )
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_b], acting_user=staff_user
    )
    services.round_assign(
        round=round_,
        organizations=[org_tree.branch_b],
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    return round_


def test_supervisor_scores_from_evidence_staff_finalizes_and_downloads(
    page, round_for_branch_b, tmp_path
):
    round_ = round_for_branch_b
    assessment = round_.assessments.get()
    browser_login(page, "supervisor")
    page.goto(page.base_url + "/assessment/")
    check_accessibility(page)
    page.get_by_role("link", name="打开我的考核任务").click()
    check_accessibility(page)
    page.get_by_role("link", name="为 教育局离退休干部党支部 评分").click()
    assert page.get_by_role("heading", level=1).inner_text() == "评分：教育局离退休干部党支部"
    check_accessibility(page)

    six_haves = page.locator(".score-item", has_text="1.2 六有标准化")
    assert "3/6" in six_haves.locator(".evidence-value").inner_text()
    assert six_haves.locator(".suggestion").inner_text() == "30"
    six_haves.get_by_role("button", name="采用建议分").click()
    score_field = six_haves.get_by_label("手工录入分数（0–60），留空则按计算结果")
    assert score_field.input_value() == "30.0"
    assert assessment.scores.get(item__code="1.2").score is None  # a suggestion is not saved
    six_haves.get_by_label("评语（扣分或手工录入分数时必填）").fill(
        "“六有”缺三项：无骨干队伍、经费和品牌"
    )

    plan = page.locator(".score-item", has_text="1.1 年度计划")
    plan.get_by_label("没有年度计划扣3分 (−3)").check()
    assert plan.locator(".js-computed").inner_text() == "37"  # the score follows the tick
    plan.get_by_label("评语（扣分或手工录入分数时必填）").fill("未制定年度计划")
    page.get_by_role("button", name="提交评分").click()
    assert "评分已保存" in page.get_by_role("alert").first.inner_text()
    check_accessibility(page)
    assert page.console_errors == []

    page.get_by_role("button", name="退出登录").click()
    browser_login(page, "staff")
    page.goto(page.base_url + f"/assessment/rounds/{round_.pk}/")
    check_accessibility(page)
    page.get_by_role("button", name="考核定档").click()
    assert "考核当前状态：已定档" in page.get_by_role("alert").first.inner_text()
    check_accessibility(page)
    # The round's own results (the section navigation also has a link to all results).
    page.locator(f'main a[href="/assessment/rounds/{round_.pk}/results/"]').first.click()
    assert "合格" in page.locator("main").inner_text()
    check_accessibility(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="下载评分汇总表").click()
    target = tmp_path / "sheet.xlsx"
    info.value.save_as(target)
    workbook = load_workbook(target)
    ws = workbook["建制"]
    assert ws["A1"].value.startswith("2026 年度考核")
    headers = [c.value for c in ws[2]]
    row = dict(zip(headers, [c.value for c in ws[3]], strict=True))
    assert row["组织"] == "教育局离退休干部党支部"
    assert row["1.1 考核分"] == 37 and row["1.2 考核分"] == 30
    assert row["总分"] == 67 and row["等次"] == "合格" and row["排名"] == 1
    assert row["考核人员"] == "supervisor"
    assert page.console_errors == []


def test_scoring_page_fits_a_phone(page, round_for_branch_b):
    assessment = round_for_branch_b.assessments.get()
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "supervisor")
    page.goto(page.base_url + f"/assessment/assessments/{assessment.pk}/score/")
    assert page.get_by_role("heading", level=1).inner_text() == "评分：教育局离退休干部党支部"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"
    check_accessibility(page)
    assert page.console_errors == []
