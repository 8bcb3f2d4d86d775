"""The pages as users see them: scoring from evidence, refusals, results, downloads."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment import services
from assessment.models import ItemScore, Rubric
from branches.models import Organization
from tests.assessment.conftest import make_rubric, score_all

pytestmark = pytest.mark.django_db


def _form(assessment, **values):
    """A full scoring form as the page would post it; `values` maps item code → dict."""
    data = {"version": assessment.version, "item": []}
    for row in assessment.scores.select_related("item"):
        item = row.item
        data["item"].append(item.pk)
        given = values.get(item.code, {})
        if item.kind != "veto":
            data[f"score_{item.pk}"] = given.get("score", "")
        data[f"comment_{item.pk}"] = given.get("comment", "")
        if given.get("deductions"):
            data[f"deduction_{item.pk}"] = given["deductions"]
        if given.get("veto"):
            data[f"veto_{item.pk}"] = "on"
    return data


def test_scoring_page_shows_evidence_and_suggestion_but_saves_nothing_by_itself(
    client, scoring_round, supervisor_user
):
    Organization.objects.filter(pk=scoring_round.a.organization_id).update(
        has_theme=True, has_plan=True
    )
    client.force_login(supervisor_user)
    response = client.get(reverse("assessment:score", args=[scoring_round.a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "评分：阅海万家地缘党支部" in html
    assert "“六有”达标情况" in html and "2/6" in html
    assert "建议分" in html and ">20<" in html  # 60 × 2/6
    assert "没有年度计划扣3分" in html and "满分 40" in html
    assert not ItemScore.objects.filter(assessment=scoring_round.a, score__isnull=False).exists()


def test_plain_form_post_saves_every_item(client, scoring_round, supervisor_user):
    a = scoring_round.a
    rule = a.rubric.items.get(code="1.1").deductions.first()
    client.force_login(supervisor_user)
    data = _form(
        a,
        **{
            "1.1": {"score": "37", "comment": "没有年度计划", "deductions": [rule.pk]},
            "1.2": {"score": "60"},
            "B1": {"score": "2"},
        },
    )
    response = client.post(reverse("assessment:score", args=[a.pk]), data, follow=True)
    assert "评分已保存" in response.content.decode()
    row = a.scores.get(item__code="1.1")
    assert row.score == Decimal("37") and list(row.deductions.all()) == [rule]
    a.refresh_from_db()
    assert a.version == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"1.1": {"score": "41"}}, "1.1：分数须在 0 到 40 之间"),
        ({"1.1": {"score": "-1", "comment": "x"}}, "1.1：分数须在 0 到 40 之间"),
        ({"1.1": {"score": "35"}}, "1.1：扣分或一票否决时须在评语中说明理由"),
        ({"V1": {"veto": True}}, "V1：扣分或一票否决时须在评语中说明理由"),
        ({"1.1": {"score": "三十"}}, "不是数字"),
    ],
)
def test_bad_scores_are_refused_with_a_message_and_nothing_saved(
    client, scoring_round, supervisor_user, values, message
):
    a = scoring_round.a
    client.force_login(supervisor_user)
    data = _form(a, **{"1.2": {"score": "60"}, **values})
    response = client.post(reverse("assessment:score", args=[a.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="60"' in html  # what was typed is shown again
    assert not ItemScore.objects.filter(assessment=a, score__isnull=False).exists()


def test_second_of_two_concurrent_saves_is_refused_showing_what_changed(
    client, scoring_round, supervisor_user, staff_user
):
    a = scoring_round.a
    url = reverse("assessment:score", args=[a.pk])
    first = _form(a, **{"1.1": {"score": "30", "comment": "计划不具体"}})
    second = _form(a, **{"1.1": {"score": "40"}, "1.2": {"score": "55", "comment": "阵地不足"}})
    client.force_login(staff_user)
    assert client.post(url, first).status_code == 302
    client.force_login(supervisor_user)
    response = client.post(url, second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "他人已保存了该考核" in html and "1.1 年度计划" in html and "考核分 30" in html
    assert "1.2 六有标准化" not in html.split("已变更")[1].split("请刷新")[0]
    assert a.scores.get(item__code="1.1").score == Decimal("30")
    assert a.scores.get(item__code="1.2").score is None


def test_one_item_saved_by_the_script_returns_the_new_version(
    client, scoring_round, supervisor_user
):
    a = scoring_round.a
    item = a.rubric.items.get(code="1.2")
    client.force_login(supervisor_user)
    url = reverse("assessment:score", args=[a.pk])
    headers = {"X-Requested-With": "fetch"}
    response = client.post(
        url, {"version": 1, "item": [item.pk], f"score_{item.pk}": "60"}, headers=headers
    )
    assert response.json() == {"version": 2, "message": "已保存。"}
    stale = client.post(
        url,
        {"version": 1, "item": [item.pk], f"score_{item.pk}": "50", f"comment_{item.pk}": "x"},
        headers=headers,
    )
    assert stale.status_code == 409 and "1.2" in stale.json()["error"]
    assert a.scores.get(item=item).score == Decimal("60")


def test_self_assessment_page_saves_self_scores(client, org_tree, staff_user, secretary_user):
    rubric = make_rubric(2026, "three_affinity")
    round_ = services.round_create(year=2026, title="r", rubrics=[rubric], acting_user=staff_user)
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_a], acting_user=staff_user
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    a = round_.assessments.get()
    item = rubric.items.get(code="1.1")
    client.force_login(secretary_user)
    page = client.get(reverse("assessment:my_self_assessment")).content.decode()
    assert "填写自评分" in page
    url = reverse("assessment:self_assess", args=[a.pk])
    response = client.post(
        url,
        {
            "version": 1,
            "item": [item.pk],
            f"self_score_{item.pk}": "39",
            f"self_note_{item.pk}": "年度计划已报送",
        },
        follow=True,
    )
    assert "您的自评已保存" in response.content.decode()
    assert a.scores.get(item=item).self_score == Decimal("39")
    bad = client.post(url, {"version": 2, "item": [item.pk], f"self_score_{item.pk}": "45"})
    assert bad.status_code == 400 and "分数须在 0 到 40 之间" in bad.content.decode()


def test_finalize_results_distribution_and_score_sheet(
    client, scoring_round, supervisor_user, staff_user
):
    score_all(scoring_round.a, supervisor_user, normal={"1.1": "25"}, bonus="1")
    score_all(scoring_round.b, scoring_round.other_supervisor, veto=True)
    client.force_login(staff_user)
    round_url = reverse("assessment:round_detail", args=[scoring_round.round.pk])
    transition = reverse("assessment:round_transition", args=[scoring_round.round.pk])
    response = client.post(transition, {"action": "finalize"}, follow=True)
    assert "考核当前状态：已定档" in response.content.decode()
    results = client.get(reverse("assessment:round_results", args=[scoring_round.round.pk]))
    html = results.content.decode()
    assert "良好" in html and "86" in html and "一票否决" in html
    sheet = client.get(reverse("assessment:round_sheet", args=[scoring_round.round.pk]))
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(sheet.streaming_content)))
    assert workbook.sheetnames == ["建制", "三缘型"]
    ws = workbook["三缘型"]
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["组织", "1.1 自评分", "1.1 考核分"]
    assert headers[-4:] == ["总分", "等次", "排名", "考核人员"]
    row = [c.value for c in ws[3]]
    assert row[0] == "阅海万家地缘党支部" and row[2] == 25
    assert row[-4:] == [86, "良好", 1, "supervisor"]
    vetoed = [c.value for c in workbook["建制"][3]]
    assert vetoed[-3] == "不合格" and "一票否决" in vetoed
    # reopening needs a reason
    reopen = reverse("assessment:round_reopen", args=[scoring_round.round.pk])
    assert (
        "请填写重新开启考核的理由"
        in client.post(reopen, {"reason": ""}, follow=True).content.decode()
    )
    page = client.post(reopen, {"reason": "材料复核"}, follow=True).content.decode()
    assert "理由已记录" in page and "材料复核" in page
    assert client.get(round_url).status_code == 200


def test_rubric_download_and_upload_round_trip(client, staff_user, rubric):
    client.force_login(staff_user)
    download = client.get(reverse("assessment:rubric_download", args=[rubric.pk]))
    content = b"".join(download.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["考核细则", "设置", "等次", "填写说明"]
    rows = [[c.value for c in r] for r in workbook["考核细则"].iter_rows()]
    assert rows[1][:5] == ["组织建设", "1.1", "年度计划", "有年度工作计划", 40]
    assert rows[2][11:14] == ["没有年度计划扣3分", "扣固定分", 3]
    upload = io.BytesIO(content)
    upload.name = "rubric.xlsx"
    response = client.post(
        reverse("assessment:rubric_upload"),
        {"year": 2027, "category": "established", "file": upload},
        follow=True,
    )
    assert "考核细则已上传" in response.content.decode()
    copy = Rubric.objects.get(year=2027, category="established")
    assert [(i.code, i.max_points, i.kind, i.metric) for i in copy.items.all()] == [
        (i.code, i.max_points, i.kind, i.metric) for i in rubric.items.all()
    ]
    assert copy.bonus_cap == rubric.bonus_cap
    assert copy.items.get(code="1.1").deductions.count() == 2


def test_upload_of_a_rubric_not_adding_up_is_refused(client, staff_user, rubric):
    client.force_login(staff_user)
    content = b"".join(
        client.get(reverse("assessment:rubric_download", args=[rubric.pk])).streaming_content
    )
    workbook = load_workbook(io.BytesIO(content))
    workbook["考核细则"]["E2"] = 30  # 1.1 now 30: the items add up to 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "rubric.xlsx"
    response = client.post(
        reverse("assessment:rubric_upload"),
        {"year": 2027, "category": "established", "file": buffer},
    )
    assert response.status_code == 200
    assert "普通项合计 90 分，与考核细则规定的总分 100 分不符" in response.content.decode()
    assert not Rubric.objects.filter(year=2027).exists()
    junk = io.BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    response = client.post(
        reverse("assessment:rubric_upload"),
        {"year": 2027, "category": "established", "file": junk},
    )
    assert "不是 Excel" in response.content.decode()


def test_rubric_copy_page(client, staff_user, rubric):
    client.force_login(staff_user)
    response = client.post(
        reverse("assessment:rubric_copy"), {"from_year": 2026, "to_year": 2027}, follow=True
    )
    assert "已复制 1 份考核细则" in response.content.decode()
    response = client.post(reverse("assessment:rubric_copy"), {"from_year": 2026, "to_year": 2027})
    assert "已存在" in response.content.decode()


def test_round_setup_through_the_pages(client, org_tree, staff_user, supervisor_user):
    rubric = make_rubric(2026, "established")
    client.force_login(staff_user)
    response = client.post(
        reverse("assessment:round_create"),
        {"year": 2026, "title": "2026 年度考核", "rubrics": [rubric.pk]},
    )
    round_url = response["Location"]
    assert round_url.endswith("/scope/")
    scope = client.get(round_url).content.decode()
    # The scope is changed by search fields (issue 19), never a checkbox per organization;
    # only eligible organizations (the round's categories) can be added.
    assert 'name="add"' in scope and "阅海万家地缘党支部" not in scope
    refused = client.post(round_url, {"add": [org_tree.branch_a.name]})
    assert refused.status_code == 200 and "add" in refused.context["form"].errors
    response = client.post(round_url, {"add": [org_tree.branch_b.name]})
    assign_url = response["Location"]
    response = client.post(
        assign_url,
        {"organizations": [org_tree.branch_b.pk], "supervisors": [supervisor_user.pk]},
        follow=True,
    )
    assert "考核人员已分配" in response.content.decode()
    round_pk = int(assign_url.strip("/").split("/")[-2])
    transition = reverse("assessment:round_transition", args=[round_pk])
    client.post(transition, {"action": "open_self_assessment"})
    page = client.post(transition, {"action": "open_scoring"}, follow=True).content.decode()
    assert "考核当前状态：评分" in page
    page = client.post(transition, {"action": "finalize"}, follow=True).content.decode()
    assert "还有项目未评分" in page


def test_inspection_with_rectification_and_overdue_list(client, org_tree, supervisor_user):
    client.force_login(supervisor_user)
    response = client.post(
        reverse("assessment:inspection_create"),
        {
            "kind": "unannounced",
            "date": "2026-09-01",
            "organization": org_tree.branch_b.pk,
            "findings": "主题党日未按时开展",
            "required": "补开主题党日",
            "deadline": "2026-10-01",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "督查已记录" in html and "暗访" in html and "已逾期" in html
    overdue = client.get(reverse("assessment:rectification_list") + "?overdue=yes")
    assert "补开主题党日" in overdue.content.decode()
    rectification = org_tree.branch_b.inspections.get().rectifications.get()
    response = client.post(
        reverse("assessment:rectification_done", args=[rectification.pk]),
        {"done_on": "2026-10-05"},
        follow=True,
    )
    assert "整改已标记为完成" in response.content.decode()
    overdue = client.get(reverse("assessment:rectification_list") + "?overdue=yes")
    assert "补开主题党日" not in overdue.content.decode()
    bad = client.post(
        reverse("assessment:inspection_create"),
        {
            "kind": "routine",
            "date": "2026-09-01",
            "organization": org_tree.branch_b.pk,
            "findings": "x",
            "required": "整改",
        },
    )
    assert "请填写整改期限" in bad.content.decode()


# --- N+1 guards ----------------------------------------------------------------------------


def _orgs(org_tree, n, start=0):
    from tests.factories import make_org

    return [
        make_org(
            name=f"测试局{i}离退休干部党支部",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
        for i in range(start, start + n)
    ]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_pages_have_no_n_plus_one(client, org_tree, staff_user, supervisor_user):
    rubric = make_rubric(2026, "established")
    round_ = services.round_create(year=2026, title="r", rubrics=[rubric], acting_user=staff_user)
    first = _orgs(org_tree, 2)
    services.round_set_scope(round=round_, organizations=first, acting_user=staff_user)
    services.round_assign(
        round=round_, organizations=first, supervisors=[supervisor_user], acting_user=staff_user
    )
    for org in first:
        inspection = services.inspection_record(
            kind="routine",
            date=datetime.date(2026, 5, 1),
            organization=org,
            inspectors=[],
            findings="x",
            acting_user=staff_user,
        )
        services.rectification_add(
            inspection=inspection,
            required="y",
            deadline=datetime.date(2026, 6, 1),
            acting_user=staff_user,
        )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    client.force_login(staff_user)
    urls = [
        reverse("assessment:round_detail", args=[round_.pk]),
        reverse("assessment:round_results", args=[round_.pk]),
        reverse("assessment:inspection_list"),
        reverse("assessment:rectification_list"),
        reverse("assessment:round_list"),
        reverse("assessment:rubric_list"),
    ]
    before = [_count(client, url) for url in urls]
    more = _orgs(org_tree, 6, start=10)
    for org in more:
        inspection = services.inspection_record(
            kind="routine",
            date=datetime.date(2026, 5, 1),
            organization=org,
            inspectors=[],
            findings="x",
            acting_user=staff_user,
        )
        services.rectification_add(
            inspection=inspection,
            required="y",
            deadline=datetime.date(2026, 6, 1),
            acting_user=staff_user,
        )
    # a second round with more organizations, assessed the same way
    round2 = services.round_create(year=2026, title="r2", rubrics=[rubric], acting_user=staff_user)
    services.round_set_scope(round=round2, organizations=first + more, acting_user=staff_user)
    services.round_assign(
        round=round2,
        organizations=first + more,
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    services.round_open_self_assessment(round=round2, acting_user=staff_user)
    urls2 = [u.replace(f"/rounds/{round_.pk}/", f"/rounds/{round2.pk}/") for u in urls]
    after = [_count(client, url) for url in urls2]
    assert before == after
    client.force_login(supervisor_user)
    assert _count(client, reverse("assessment:my_assignments")) == _count(
        client, reverse("assessment:my_assignments") + "?page=1"
    )


def test_organization_page_shows_finalized_results_and_rectifications(
    client, scoring_round, supervisor_user, staff_user, secretary_user
):
    score_all(scoring_round.a, supervisor_user)
    score_all(scoring_round.b, scoring_round.other_supervisor)
    inspection = services.inspection_record(
        kind="routine",
        date=datetime.date(2026, 3, 1),
        organization=scoring_round.a.organization,
        inspectors=[],
        findings="x",
        acting_user=staff_user,
    )
    services.rectification_add(
        inspection=inspection,
        required="y",
        deadline=datetime.date(2026, 4, 1),
        acting_user=staff_user,
    )
    url = reverse("branches:detail", args=[scoring_round.a.organization_id])
    client.force_login(secretary_user)
    html = client.get(url).content.decode()
    section = html[html.find("org-assessment-title") :][:3000]
    assert "尚无已定档的考核结果" in section, section
    assert "未完成整改 1 项，其中逾期 1 项" in section, section
    services.round_finalize(round=scoring_round.round, acting_user=staff_user)
    html = client.get(url).content.decode()
    assert "2026 年度考核" in html and "优秀" in html and "100" in html
