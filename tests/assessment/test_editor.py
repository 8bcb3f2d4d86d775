"""The rubric editor page without a browser, the empty workbook and refused uploads."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessment import services
from assessment.models import Rubric
from tests.assessment.conftest import make_rubric

pytestmark = pytest.mark.django_db


def _form(client, rubric):
    """The editor's form as the page shows it (every named field with its value)."""
    html = client.get(reverse("assessment:rubric_edit", args=[rubric.pk])).content.decode()
    data = {}
    for name, value in re.findall(
        r'<input[^>]* id="[^"]*" name="([^"]+)"[^>]*value="([^"]*)"', html
    ):
        data[name] = value
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', html):
        data[name] = "on"
    for name, block in re.findall(r'<select[^>]*name="([^"]+)">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', block)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_editor_edits_removes_and_reorders(client, staff_user):
    rubric = make_rubric(2025, "established")
    client.force_login(staff_user)
    data = _form(client, rubric)
    assert data["s1-i1-code"] == "1.1" and data["s1-i1-d1-text"] == "没有年度计划扣3分"
    data["s1-i1-order"], data["s1-i2-order"] = "2", "1"  # 1.2 before 1.1
    data["s1-i1-d2-delete"] = "on"  # remove 计划不具体扣2分
    data["s1-i1-d3-text"] = "每缺一项扣1分"  # the empty line slot: add
    data["s1-i1-d3-kind"] = "per_occurrence"
    data["s1-i1-d3-points"] = "1"
    data["s1-i1-d3-unit"] = "项"
    response = client.post(reverse("assessment:rubric_edit", args=[rubric.pk]), data, follow=True)
    assert "考核细则已保存，且有效" in response.content.decode()
    assert [i.code for i in rubric.items.all()] == ["1.2", "1.1", "B1", "V1"]
    lines = rubric.items.get(code="1.1").deductions.all()
    assert [(d.text, d.kind, d.unit) for d in lines] == [
        ("没有年度计划扣3分", "fixed", ""),
        ("每缺一项扣1分", "per_occurrence", "项"),
    ]


def test_editor_refuses_unreadable_fields_and_saves_nothing(client, staff_user):
    rubric = make_rubric(2025, "established")
    before = services.rubric_specs(rubric)
    client.force_login(staff_user)
    data = _form(client, rubric)
    data["s1-i1-max_points"] = "四十"
    data["s1-i2-title"] = "改过"
    response = client.post(reverse("assessment:rubric_edit", args=[rubric.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "未保存任何内容" in html and "“四十”不是 0 或以上的数字" in html
    assert 'value="改过"' in html  # what was typed is shown again
    assert services.rubric_specs(rubric) == before


def test_new_rubric_starts_empty_with_default_bands(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("assessment:rubric_start"),
        {"year": 2026, "category": "three_affinity", "title": "新细则", "max_total": "150"},
    )
    rubric = Rubric.objects.get(year=2026, category="three_affinity")
    assert response["Location"] == reverse("assessment:rubric_edit", args=[rubric.pk])
    assert rubric.max_total == 150 and rubric.bands.count() == 3
    assert services.rubric_problems(rubric) == ["考核细则没有考核项目。"]


def test_empty_workbook_has_instructions_and_drop_downs(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("assessment:rubric_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["考核细则", "设置", "等次", "填写说明"]
    rubric_sheet = workbook["考核细则"]
    lists = {str(v.sqref): v.formula1 for v in rubric_sheet.data_validations.dataValidation}
    assert lists["F2:F500"] == '"普通项,加分项,一票否决项"'
    assert "本项不得分" in lists["M2:M500"]
    assert "扣完为止" in "".join(str(c.value) for c in workbook["填写说明"]["A"])


def test_an_upload_with_errors_names_row_and_column_and_saves_nothing(client, staff_user, rubric):
    client.force_login(staff_user)
    content = b"".join(
        client.get(reverse("assessment:rubric_download", args=[rubric.pk])).streaming_content
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["考核细则"]
    sheet["E2"] = "四十"  # 1.1's maximum
    sheet["M3"] = "按人头"  # a deduction kind not in the list
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "rubric.xlsx"
    response = client.post(
        reverse("assessment:rubric_upload"),
        {"year": 2027, "category": "established", "file": buffer},
    )
    html = response.content.decode()
    assert "工作表“考核细则”第 2 行 E 列（分值）：“四十”不是数字" in html
    assert "工作表“考核细则”第 3 行 M 列（扣分方式）：“按人头”不在可选项中" in html
    assert not Rubric.objects.filter(year=2027).exists()
