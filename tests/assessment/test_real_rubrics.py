"""Rubrics as they are published (issue #14): alternative, escalating and per-occurrence
deductions summing above an item's points, 扣完为止, bonus caps, veto consequences, the
rubric's own grade bands; the supervisor's progress and the year guard."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from assessment import services
from assessment.grading import Totals, apply_vetoes, band_grade
from assessment.models import Grade, GradeBand, Item, Round, Rubric
from assessment.services import (
    AssessmentError,
    BandSpec,
    DeductionSpec,
    ItemSpec,
    ScoreEntry,
    SectionSpec,
)
from tests.assessment.conftest import make_rubric, score_all
from tests.factories import make_org

pytestmark = pytest.mark.django_db

D = Decimal
HEAD = [
    "板块", "编号", "项目", "评分标准", "分值", "类型", "各条累计（否 = 不累计）", "否决后果",
    "否决等次", "证据指标", "指标参数（JSON）", "扣分细则", "扣分方式", "扣分", "单位", "最多扣",
]  # fmt: skip


def _item(section, code, title, points, kind="普通项", consequence="", grade=""):
    return [section, code, title, "", points, kind, "是", consequence, grade, "", "", "", "", None, "", None]  # fmt: skip


def _line(code, text, how, points=None, unit="", cap=None):
    return ["", code, "", "", None, "", "", "", "", "", "", text, how, points, unit, cap]


def real_style_workbook() -> io.BytesIO:
    """A 100-point rubric whose lines add up to more than their items' points:
    1.1 (10): 不及时 −1 / 未上交 −2 (alternatives), 未配备书记 → 不得分 (−10)  = 13 > 10
    1.2 (20): 少开一次 −3/次 (no cap), 记录不全 −5                           = unbounded
    1.3 (70): 每缺一人 −2/人 (at most 10), 台账缺失 −5
    B1 (bonus ≤ 5): 每项表彰 +2/项; B2 (bonus ≤ 3) typed; all bonus ≤ 6
    V1 违纪 → 不合格; V2 → 不得评为优秀 (at best 良好)
    Bands: 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, on the total with bonus."""
    wb = Workbook()
    ws = wb.active
    ws.title = "考核细则"
    ws.append(HEAD)
    rows = [
        _item("组织建设", "1.1", "材料报送", 10),
        _line("1.1", "材料上交不及时扣1分", "扣固定分", 1),
        _line("1.1", "材料未上交扣2分", "扣固定分", 2),
        _line("1.1", "未配备支部书记的，本项不得分", "本项不得分"),
        _item("组织生活", "1.2", "三会一课", 20),
        _line("1.2", "少开一次扣3分", "按次（项、人）扣分", 3, "次"),
        _line("1.2", "记录不全扣5分", "扣固定分", 5),
        _item("组织生活", "1.3", "党员管理", 70),
        _line("1.3", "每缺一人扣2分", "按次（项、人）扣分", 2, "人", 10),
        _line("1.3", "台账缺失扣5分", "扣固定分", 5),
        _item("加分项", "B1", "表彰奖励", 5, "加分项"),
        _line("B1", "获市级表彰每项加2分", "按次（项、人）扣分", 2, "项"),
        _item("加分项", "B2", "品牌创建", 3, "加分项"),
        _item("一票否决", "V1", "违纪违法", 0, "一票否决项", "定为不合格"),
        _item("一票否决", "V2", "组织生活会", 0, "一票否决项", "最高评为所定等次", "良好"),
    ]
    for row in rows:
        ws.append(row)
    settings = wb.create_sheet("设置")
    for row in (
        ["键", "设置项", "值"],
        ["title", "标题", "党支部工作考核细则"],
        ["max_total", "总分", 100],
        ["bonus_cap", "加分上限", 6],
        ["bonus_cumulative", "加分项累计（否 = 不累计）", "是"],
        ["grade_basis", "等次按", "分数"],
        ["grade_total", "等次依据", "含加分的总分"],
    ):
        settings.append(row)
    bands = wb.create_sheet("等次")
    for row in (["等次", "起点（分数或百分比）"], ["优秀", 90], ["良好", 80], ["合格", 60]):
        bands.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "rubric.xlsx"
    return buffer


def _entries(assessment, **by_code):
    """ScoreEntry per item code: {"ticks": [line texts], "counts": {text: n}, "score": …}."""
    entries = []
    for row in assessment.scores.select_related("item").prefetch_related("item__deductions"):
        item = row.item
        given = by_code.get(item.code, {})
        lines = {d.text: d.pk for d in item.deductions.all()}
        entries.append(
            ScoreEntry(
                item_id=item.pk,
                score=given.get("score"),
                comment=given.get("comment", "见考核记录" if given else ""),
                deduction_ids=[lines[t] for t in given.get("ticks", [])],
                deduction_counts={lines[t]: n for t, n in given.get("counts", {}).items()},
                veto=given.get("veto", False),
            )
        )
    return entries


def test_uploaded_real_rubric_scores_two_organizations_by_its_own_rules(
    client, org_tree, staff_user, supervisor_user
):
    client.force_login(staff_user)
    response = client.post(
        reverse("assessment:rubric_upload"),
        {"year": 2026, "category": "established", "file": real_style_workbook()},
        follow=True,
    )
    assert "考核细则已上传" in response.content.decode()
    rubric = Rubric.objects.get(year=2026, category="established")
    assert services.rubric_problems(rubric) == []
    item = rubric.items.get(code="1.1")
    assert sum(d.amount() for d in item.deductions.all()) == D("13")  # above its 10 points

    x = make_org(name="甲局离退休干部党支部", kind="branch", category="established", parent=org_tree.committee)  # fmt: skip
    y = make_org(name="乙局离退休干部党支部", kind="branch", category="established", parent=org_tree.committee)  # fmt: skip
    round_ = services.round_create(year=2026, title="2026 考核", rubrics=[rubric], acting_user=staff_user)  # fmt: skip
    services.round_set_scope(round=round_, organizations=[x, y], acting_user=staff_user)
    services.round_assign(round=round_, organizations=[x, y], supervisors=[supervisor_user], acting_user=staff_user)  # fmt: skip
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    ax = round_.assessments.get(organization=x)
    ay = round_.assessments.get(organization=y)

    # X hits 扣完为止 twice: 1.1 不得分 (and 未上交 −2 besides) → 0; 1.2 eight meetings missed,
    # 8 × 3 = 24 > 20 → 0; 1.3 three members missing, 3 × 2 = 6 → 64. Normal 0 + 0 + 64 = 64.
    # Bonus: B1 three commendations 3 × 2 = 6, within its own cap 5; B2 typed 3; 5 + 3 = 8,
    # within the rubric's cap 6. Total 64 + 6 = 70 → 合格 (60 ≤ 70 < 80).
    services.scores_save(
        assessment=ax,
        version=ax.version,
        entries=_entries(
            ax,
            **{
                "1.1": {"ticks": ["材料未上交扣2分", "未配备支部书记的，本项不得分"]},
                "1.2": {"counts": {"少开一次扣3分": 8}},
                "1.3": {"counts": {"每缺一人扣2分": 3}},
                "B1": {"counts": {"获市级表彰每项加2分": 3}},
                "B2": {"score": "3"},
            },
        ),
        acting_user=supervisor_user,
    )
    scores = {s.item.code: s.score for s in ax.scores.select_related("item")}
    assert scores == {"1.1": 0, "1.2": 0, "1.3": 64, "B1": 5, "B2": 3, "V1": None, "V2": None}
    assert ax.scores.get(item__code="1.2").applied.get().count == 8

    # Y: 1.1 不及时 −1 → 9; 1.2 and 1.3 full (20, 70); normal 99; bonus B2 2 → total 101,
    # in the 优秀 band, but V2 (不得评为优秀) applies → 良好.
    services.scores_save(
        assessment=ay,
        version=ay.version,
        entries=_entries(
            ay,
            **{
                "1.1": {"ticks": ["材料上交不及时扣1分"]},
                "1.2": {},
                "1.3": {},
                "B2": {"score": "2"},
                "V2": {"veto": True, "comment": "当年未召开组织生活会"},
            },
        ),
        acting_user=supervisor_user,
    )
    services.round_finalize(round=round_, acting_user=staff_user)
    ax.refresh_from_db()
    ay.refresh_from_db()
    assert (ax.total, ax.grade, ax.vetoed) == (D("70"), Grade.PASS, False)
    assert (ay.total, ay.grade, ay.vetoed) == (D("101"), Grade.GOOD, True)
    # Ranked by grade, then total: 良好 before 合格; a capped grade is not a 不合格 and is not
    # sent after everyone.
    assert (ay.rank, ax.rank) == (1, 2)

    # The score card lists each deduction applied, with its count.
    card = client.get(reverse("assessment:score_card", args=[ax.pk])).content.decode()
    assert "少开一次扣3分" in card and "× 8" in card and "未配备支部书记的，本项不得分" in card


def test_a_ticked_deduction_is_tied_to_the_score(scoring_round, supervisor_user):
    a = scoring_round.a
    item = a.rubric.items.get(code="1.1")
    rule = item.deductions.get(text="没有年度计划扣3分")
    with pytest.raises(AssessmentError, match="1.1"):  # −3 ticked, full marks typed, no reason
        services.scores_save(
            assessment=a,
            version=a.version,
            entries=[ScoreEntry(item.pk, "40", deduction_ids=[rule.pk], comment="")],
            acting_user=supervisor_user,
        )
    services.scores_save(
        assessment=a,
        version=a.version,
        entries=[ScoreEntry(item.pk, None, deduction_ids=[rule.pk], comment="无年度计划")],
        acting_user=supervisor_user,
    )
    row = a.scores.get(item=item)
    assert (row.score, row.overridden) == (D("37"), False)
    # an override stays possible, with its reason
    a.refresh_from_db()
    services.scores_save(
        assessment=a,
        version=a.version,
        entries=[ScoreEntry(item.pk, "38.5", deduction_ids=[rule.pk], comment="计划后补，酌情")],
        acting_user=supervisor_user,
    )
    row.refresh_from_db()
    assert (row.score, row.overridden) == (D("38.5"), True)


@pytest.mark.parametrize(
    ("grade", "consequence", "veto_grade", "expected"),
    [
        (Grade.EXCELLENT, "fail", "", Grade.FAIL),
        (Grade.EXCELLENT, "cap", Grade.GOOD, Grade.GOOD),
        (Grade.PASS, "cap", Grade.GOOD, Grade.PASS),
        (Grade.EXCELLENT, "down_one", "", Grade.GOOD),
        (Grade.PASS, "down_one", "", Grade.FAIL),
        (Grade.EXCELLENT, "fixed", Grade.PASS, Grade.PASS),
    ],
)
def test_veto_consequences(grade, consequence, veto_grade, expected):

    veto = Item(kind="veto", veto_consequence=consequence, veto_grade=veto_grade)
    assert apply_vetoes(grade, [veto]) == expected
    assert apply_vetoes(grade, []) == grade


def test_bands_in_percent_without_bonus_for_a_150_point_rubric():
    """ "总分（不含加分）达到90%为优秀": 135 of 150 without bonus."""

    rubric = Rubric(max_total=D("150"), grade_basis="percent", grade_total="without_bonus")
    bands = [
        GradeBand(grade=Grade.EXCELLENT, minimum=D("90")),
        GradeBand(grade=Grade.GOOD, minimum=D("80")),
        GradeBand(grade=Grade.PASS, minimum=D("60")),
    ]
    assert band_grade(rubric, bands, Totals(normal=D("135"), bonus=D("0"))) == Grade.EXCELLENT
    assert band_grade(rubric, bands, Totals(normal=D("134"), bonus=D("5"))) == Grade.GOOD
    assert band_grade(rubric, bands, Totals(normal=D("89"), bonus=D("5"))) == Grade.FAIL


def test_rubric_validation_refuses_only_what_is_inconsistent():

    def sections(*extra):
        return [
            SectionSpec(
                "s",
                [
                    ItemSpec(
                        code="1",
                        title="计划",
                        max_points=D("100"),
                        deductions=[
                            DeductionSpec("不及时扣60分", D("60")),
                            DeductionSpec("未上交扣100分", D("100")),
                            DeductionSpec("每缺一项扣5分", D("5"), kind="per_occurrence"),
                        ],
                    ),
                    *extra,
                ],
            )
        ]

    accepted = services.rubric_create(year=2026, category="established", title="t", sections=sections())  # fmt: skip
    assert services.rubric_problems(accepted) == []
    with pytest.raises(AssessmentError, match="没有考核项目"):
        services.rubric_create(year=2027, category="established", title="t", sections=[])
    with pytest.raises(AssessmentError, match="重叠|overlap"):
        services.rubric_create(
            year=2027,
            category="established",
            title="t",
            sections=sections(),
            bands=[BandSpec(Grade.EXCELLENT, D("80")), BandSpec(Grade.GOOD, D("85"))],
        )
    with pytest.raises(AssessmentError, match="上限|cap"):
        services.rubric_create(
            year=2027,
            category="established",
            title="t",
            sections=sections(ItemSpec(code="B", title="b", max_points=D("0"), kind="bonus")),
            bonus_cap=D("5"),
        )
    assert not Rubric.objects.filter(year=2027).exists()


def test_supervisor_progress_counts_only_what_must_be_scored(
    client, scoring_round, supervisor_user
):
    """The rubric has 2 normal items, a bonus and a veto item: once both normal items are
    scored the supervisor sees 2/2, not 2/4 (bonus and veto left empty are not missing)."""
    a = scoring_round.a
    client.force_login(supervisor_user)
    progress = re.compile(rf'data-progress="{a.pk}">(\d+/\d+)<')
    page = client.get(reverse("assessment:my_assignments")).content.decode()
    assert progress.search(page).group(1) == "0/2"
    items = {i.code: i.pk for i in a.rubric.items.all()}
    services.scores_save(
        assessment=a,
        version=a.version,
        entries=[ScoreEntry(items["1.1"], "40"), ScoreEntry(items["1.2"], "60")],
        acting_user=supervisor_user,
    )
    page = client.get(reverse("assessment:my_assignments")).content.decode()
    assert progress.search(page).group(1) == "2/2"
    detail = client.get(reverse("assessment:round_detail", args=[a.round_id])).content.decode()
    assert progress.search(detail).group(1) == "2/2"
    # The supervisor's 首页 counts the same way (it showed "2 / 4" before).
    home = client.get(reverse("home")).content.decode()
    assert "2 / 2" in home and "2 / 4" not in home


def test_scoring_page_leaves_an_item_not_assessed_unscored(client, scoring_round, supervisor_user):
    a = scoring_round.a
    items = {i.code: i for i in a.rubric.items.all()}
    client.force_login(supervisor_user)
    rule = items["1.1"].deductions.first()
    data = {
        "version": a.version,
        "item": [items["1.1"].pk, items["1.2"].pk],
        f"deduction_{items['1.1'].pk}": [rule.pk],
        f"comment_{items['1.1'].pk}": "无年度计划",
        f"score_{items['1.2'].pk}": "",
    }
    response = client.post(reverse("assessment:score", args=[a.pk]), data)
    assert response.status_code == 302
    assert a.scores.get(item=items["1.1"]).score == D("37")
    assert a.scores.get(item=items["1.2"]).score is None  # not ticked as assessed
    data[f"assessed_{items['1.2'].pk}"] = "on"
    data["version"] = a.version + 1
    client.post(reverse("assessment:score", args=[a.pk]), data)
    assert a.scores.get(item=items["1.2"]).score == D("60")  # assessed, nothing deducted


def test_a_round_cannot_be_for_a_later_year(client, staff_user, org_tree):
    next_year = timezone.localdate().year + 1

    rubric = make_rubric(next_year, "established")
    with pytest.raises(AssessmentError, match=str(timezone.localdate().year)):
        services.round_create(
            year=next_year, title="明年", rubrics=[rubric], acting_user=staff_user
        )
    client.force_login(staff_user)
    response = client.post(
        reverse("assessment:round_create"),
        {"year": next_year, "title": "明年", "rubrics": [rubric.pk]},
    )
    assert response.status_code == 200
    assert "考核轮次的年份不能晚于当年" in response.content.decode()


def test_a_round_of_a_later_year_made_before_the_guard_cannot_be_finalized(
    scoring_round, staff_user, supervisor_user
):

    score_all(scoring_round.a, supervisor_user)
    score_all(scoring_round.b, scoring_round.other_supervisor)
    Round.objects.filter(pk=scoring_round.round.pk).update(year=datetime.date.today().year + 1)
    with pytest.raises(AssessmentError, match="不能晚于当年|later than"):
        services.round_finalize(round=scoring_round.round, acting_user=staff_user)
