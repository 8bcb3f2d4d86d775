"""The rubric editor in a real browser (issue #14): bureau staff build a small rubric on one
page (two sections, a per-occurrence deduction, a bonus, a veto that caps the grade, bands),
reorder it, preview it; a supervisor scores with it (the score follows the ticks as they are
entered); the rubric downloads as Excel and re-uploads to an identical rubric."""

import pytest
from django.utils import timezone

from assessment import services
from assessment.models import Rubric
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _save(page):
    page.get_by_role("button", name="保存考核细则").click()
    page.wait_for_load_state()


def test_build_score_and_round_trip_a_rubric(page, org_tree, staff_user, supervisor_user, tmp_path):
    year = timezone.localdate().year
    browser_login(page, "staff")
    page.goto(page.base_url + "/assessment/rubrics/")
    page.get_by_role("link", name="新建考核细则").click()
    page.get_by_label("年份").fill(str(year))
    page.get_by_label("党组织类型").select_option("established")
    page.get_by_label("标题").fill("党支部工作考核细则")
    page.get_by_label("总分").fill("100")
    page.get_by_role("button", name="创建并编辑").click()
    assert page.get_by_role("heading", level=1).inner_text() == "编辑考核细则"
    check_accessibility(page)

    # First section, its first item and a per-occurrence line (扣2分/次, at most 10).
    page.locator("#s1-title").fill("组织生活")
    page.locator("#s1-i1-code").fill("1.1")
    page.locator("#s1-i1-title").fill("三会一课")
    page.locator("#s1-i1-max_points").fill("60")
    page.locator("#s1-i1-d1-text").fill("少开一次扣2分")
    page.locator("#s1-i1-d1-kind").select_option("per_occurrence")
    page.locator("#s1-i1-d1-points").fill("2")
    page.locator("#s1-i1-d1-unit").fill("次")
    page.locator("#s1-i1-d1-cap").fill("10")
    _save(page)
    assert "暂不能用于考核轮次" in page.get_by_role("alert").first.inner_text()  # 60 of 100

    # A second item in the first section, a second section with a bonus, the bonus cap.
    page.locator("#s1-i2-code").fill("1.2")
    page.locator("#s1-i2-title").fill("制度台账")
    page.locator("#s1-i2-max_points").fill("40")
    page.locator("#s1-i2-d1-text").fill("台账不全扣5分")
    page.locator("#s1-i2-d1-points").fill("5")
    page.locator("#s2-title").fill("加分与否决")
    page.locator("#s2-i1-code").fill("B1")
    page.locator("#s2-i1-title").fill("品牌创建")
    page.locator("#s2-i1-max_points").fill("5")
    page.locator("#s2-i1-kind").select_option("bonus")
    page.get_by_label("加分上限").fill("3")
    _save(page)
    # A veto that caps the grade at 良好, and the 优秀 band moved to 95.
    page.locator("#s2-i2-code").fill("V1")
    page.locator("#s2-i2-title").fill("组织生活会")
    page.locator("#s2-i2-max_points").fill("0")
    page.locator("#s2-i2-kind").select_option("veto")
    page.locator("#s2-i2-veto_consequence").select_option("cap")
    page.locator("#s2-i2-veto_grade").select_option("good")
    page.locator("#band_excellent").fill("95")
    _save(page)
    assert "考核细则已保存，且有效" in page.get_by_role("alert").first.inner_text()

    # Reorder with the arrow buttons: 1.2 before 1.1.
    page.locator('[data-key="s1-i2"] > div .js-up').first.click()
    _save(page)
    rubric = Rubric.objects.get(year=year, category="established")
    assert [i.code for i in rubric.items.all()] == ["1.2", "1.1", "B1", "V1"]
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})
    check_accessibility(page)

    page.get_by_role("link", name="预览打印的考核细则").click()
    preview = page.locator("main").inner_text()
    assert "少开一次扣2分 (−2/次 (≤ 10))" in preview and "最高评为良好" in preview
    assert preview.index("1.2") < preview.index("1.1")
    check_accessibility(page)
    assert page.console_errors == []

    # Score with it.
    round_ = services.round_create(
        year=year, title="考核", rubrics=[rubric], acting_user=staff_user
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
    assessment = round_.assessments.get()
    page.get_by_role("button", name="退出登录").click()
    browser_login(page, "supervisor")
    page.goto(page.base_url + f"/assessment/assessments/{assessment.pk}/score/")
    meetings = page.locator(".score-item", has_text="1.1 三会一课")
    meetings.get_by_label("少开一次扣2分 (−2/次 (≤ 10))").fill("3")
    assert meetings.locator(".js-computed").inner_text() == "54"  # shown as it is entered
    assert meetings.get_by_label("已评（勾选扣分或录入分数时自动勾选）").is_checked()
    meetings.get_by_label("评语（扣分或手工录入分数时必填）").fill("少开三次")
    page.locator(".score-item", has_text="1.2 制度台账").get_by_label(
        "已评（勾选扣分或录入分数时自动勾选）"
    ).check()
    page.locator(".score-item", has_text="B1 品牌创建").get_by_label(
        "手工录入分数（0–5），留空则按计算结果"
    ).fill("2")
    veto = page.locator(".score-item", has_text="V1 组织生活会")
    veto.get_by_label("适用一票否决（最高评为良好）").check()
    veto.get_by_label("评语（扣分或手工录入分数时必填）").fill("当年未召开组织生活会")
    page.get_by_role("button", name="提交评分").click()
    assert "评分已保存" in page.get_by_role("alert").first.inner_text()
    check_accessibility(page)
    services.round_finalize(round=round_, acting_user=staff_user)
    assessment.refresh_from_db()
    assert (assessment.total, assessment.grade) == (96, "good")  # 54 + 40 + 2 ≥ 95, capped
    page.goto(page.base_url + f"/assessment/assessments/{assessment.pk}/card/")
    card = page.locator("main").inner_text()
    assert "少开一次扣2分 × 3: −6" in card and "良好" in card
    assert page.console_errors == []

    # Download as Excel and upload it again: an identical rubric.
    page.get_by_role("button", name="退出登录").click()
    browser_login(page, "staff")
    page.goto(page.base_url + f"/assessment/rubrics/{rubric.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel").click()
    target = tmp_path / "rubric.xlsx"
    info.value.save_as(target)
    page.goto(page.base_url + "/assessment/rubrics/upload/")
    page.get_by_label("年份").fill(str(year))
    page.get_by_label("党组织类型").select_option("three_affinity")
    page.get_by_label("考核细则表格（.xlsx）").set_input_files(str(target))
    page.get_by_role("button", name="上传").click()
    assert "考核细则已上传" in page.get_by_role("alert").first.inner_text()
    copy = Rubric.objects.get(year=year, category="three_affinity")
    assert services.rubric_specs(copy) == services.rubric_specs(rubric)
    assert services.rubric_settings(copy) == services.rubric_settings(rubric)
    assert page.console_errors == []
