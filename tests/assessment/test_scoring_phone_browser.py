"""A supervisor scores one organization on a phone (375 px, 大字), from 首页 to 提交评分:
one card at a time, deductions as big toggles, the score shown as they tap, a draft autosaved,
a suggestion that differs from the deductions stopped until the reason is written. Taps and
page loads are counted, not time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assessment import services
from assessment.grading import item_computed
from assessment.models import ScoreDraft
from assessment.services import DeductionSpec, ItemSpec, SectionSpec
from tests.conftest import Taps, browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assignment(org_tree, staff_user, supervisor_user):
    """A round in scoring with a 4-item rubric (fixed lines, a per-occurrence line with a cap,
    a "scores 0" line with an evidence metric, a bonus), the supervisor assigned to branch A."""
    sections = [
        SectionSpec(
            title="组织建设",
            items=[
                ItemSpec(
                    code="1.1",
                    title="年度计划",
                    max_points=Decimal("40"),
                    deductions=[
                        DeductionSpec("没有年度计划扣3分", Decimal("3")),
                        DeductionSpec("计划不具体扣2分", Decimal("2")),
                    ],
                ),
                ItemSpec(
                    code="1.2",
                    title="学习教育",
                    max_points=Decimal("30"),
                    deductions=[
                        DeductionSpec(
                            "每少一次集中学习扣2分",
                            Decimal("2"),
                            kind="per_occurrence",
                            unit="次",
                            cap=Decimal("6"),
                        )
                    ],
                ),
                ItemSpec(
                    code="1.3",
                    title="六有标准化",
                    max_points=Decimal("30"),
                    metric="six_haves",
                    deductions=[DeductionSpec("无活动阵地不得分", kind="zero")],
                ),
            ],
        ),
        SectionSpec(
            title="加分项",
            items=[
                ItemSpec(
                    code="B1",
                    title="品牌创建",
                    max_points=Decimal("5"),
                    kind="bonus",
                    deductions=[DeductionSpec("获市级表彰加3分", Decimal("3"))],
                )
            ],
        ),
    ]
    rubric = services.rubric_create(
        year=2026,
        category="three_affinity",
        title="2026 考核细则",
        sections=sections,
        bonus_cap=Decimal("5"),
    )
    round_ = services.round_create(
        year=2026, title="2026 年度考核", rubrics=[rubric], acting_user=staff_user
    )
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_a], acting_user=staff_user
    )
    services.round_assign(
        round=round_,
        organizations=[org_tree.branch_a],
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    return round_.assessments.get()


def _visible_cards(page) -> list[str]:
    return page.eval_on_selector_all(
        ".score-item", "cards => cards.filter(c => !c.hidden).map(c => c.dataset.item)"
    )


def test_supervisor_scores_one_organization_from_home_on_a_phone(
    phone, assignment, supervisor_user
):
    page = phone
    a = assignment
    org = a.organization.name
    items = {row.item.code: row.item for row in a.scores.select_related("item")}
    supervisor_user.large_text = True  # 大字 on
    supervisor_user.save(update_fields=["large_text"])
    browser_login(page, "supervisor")

    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    taps = Taps(page)
    page.goto(page.base_url + "/")  # 首页
    check_accessibility(page)

    taps.click(page.get_by_role("link", name=f"评分 {org}"))
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"评分：{org}"
    progress = page.locator("#scoring-progress")
    assert progress.inner_text() == "第 1 / 4 项"
    assert _visible_cards(page) == [str(items["1.1"].pk)]  # one card at a time on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
    check_accessibility(page)

    # 1.1: one fixed deduction, the score follows the tap.
    card = page.locator(f"#card-{items['1.1'].pk}")
    toggle = card.locator(".scoring-toggle", has_text="没有年度计划扣3分")
    assert toggle.bounding_box()["height"] >= 44
    taps.click(toggle)
    assert card.locator(".js-computed").inner_text() == "37"
    taps.type_into(card.get_by_label("评语（扣分或手工录入分数时必填）"), "未见年度计划")
    taps.click(card.get_by_role("button", name="下一项"))
    assert progress.inner_text() == "第 2 / 4 项"
    # Leaving the card saved the draft to the server: not a score.
    # (a retrying locator, not wait_for_function: the page's CSP refuses the eval it needs)
    expect(page.locator(".js-draft-status")).to_contain_text("草稿已于")
    assert ScoreDraft.objects.filter(assessment=a, user=supervisor_user).exists()
    assert not a.scores.filter(score__isnull=False).exists()

    # 1.2: a per-occurrence line, counted with the + stepper (2 × 2 = 4 off).
    card = page.locator(f"#card-{items['1.2'].pk}")
    plus = card.get_by_role("button", name="加一次：每少一次集中学习扣2分")
    assert plus.bounding_box()["height"] >= 44
    taps.click(plus)
    taps.click(plus)
    assert card.locator(".js-computed").inner_text() == "26"
    taps.type_into(card.get_by_label("评语（扣分或手工录入分数时必填）"), "少两次集中学习")
    taps.click(card.get_by_role("button", name="下一项"))

    # 1.3: the suggestion (0, no "六有") is not what the deductions give (30): it goes into
    # the score by hand and the card says so; nothing is changed silently.
    card = page.locator(f"#card-{items['1.3'].pk}")
    taps.click(card.get_by_role("button", name="采用建议分"))
    assert card.get_by_label("手工录入分数（0–30），留空则按计算结果").input_value() in ("0", "0.0")
    assert card.locator(".js-computed").inner_text() == "30"
    warning = card.locator(".js-override-warning")
    assert warning.is_visible() and "手工录入的分数与扣分项计算结果不同" in warning.inner_text()
    taps.click(card.get_by_role("button", name="下一项"))

    # B1: a bonus line.
    card = page.locator(f"#card-{items['B1'].pk}")
    taps.click(card.locator(".scoring-toggle", has_text="获市级表彰加3分"))
    assert card.locator(".js-computed").inner_text() == "3"
    assert progress.inner_text() == "第 4 / 4 项"

    # 提交评分 without the reason for 1.3: stopped on the page, taken to that card.
    taps.click(page.get_by_role("button", name="提交评分"))
    assert _visible_cards(page) == [str(items["1.3"].pk)]
    reason = page.locator(f"#card-{items['1.3'].pk}").get_by_label(
        "评语（扣分或手工录入分数时必填）"
    )
    assert reason.evaluate("el => el === document.activeElement")
    assert not a.scores.filter(score__isnull=False).exists()
    taps.type_into(reason, "督查时六有均未达标，按建议分")
    taps.click(page.get_by_role("button", name="提交评分"))
    page.wait_for_load_state()

    message = page.get_by_role("alert").first.inner_text()
    assert "评分已保存并提交：合计 66 分" in message
    assert page.locator(".js-saved-total").inner_text() == "66"
    check_accessibility(page)
    assert page.console_errors == []

    # What was saved is what the rubric computes from the lines applied.
    rows = {
        row.item.code: row
        for row in a.scores.select_related("item").prefetch_related("applied__rule")
    }
    for code in ("1.1", "1.2", "B1"):
        row = rows[code]
        applied = [(ad.rule, ad.count) for ad in row.applied.all()]
        assert row.score == item_computed(row.item, applied)
        assert not row.overridden
    assert [(r.score, r.overridden) for r in (rows["1.1"], rows["1.2"], rows["B1"])] == [
        (Decimal("37"), False),
        (Decimal("26"), False),
        (Decimal("3"), False),
    ]
    assert (rows["1.3"].score, rows["1.3"].overridden) == (Decimal("0"), True)
    assert rows["1.3"].comment == "督查时六有均未达标，按建议分"
    assert services.assessment_totals(a).total == Decimal("66")
    assert not ScoreDraft.objects.exists()  # submitted: the draft is gone

    # Counted, not timed: 首页 → 评分 → submitted.
    assert len(loads) <= 3, loads
    assert taps.count <= 14, taps.count  # 14: see the steps above
