"""The shared exporter: streamed workbook, formula-like text kept as text, the export log written
by the exporter itself, masking helpers."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from core.models import ExportLog
from core.privacy import mask_id_number, mask_phone
from core.xlsx import Sheet, xlsx_response


def read(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


pytestmark = pytest.mark.django_db


def test_formula_like_text_is_written_as_text(staff_user):
    rows = iter(
        [["=1+1", "+86 138", "-3", "@SUM(A1)", "\tx", "plain", 5, datetime.date(2020, 1, 2)]]
    )
    response = xlsx_response(
        "t.xlsx", Sheet("表", [f"c{i}" for i in range(8)], rows), user=staff_user, export="test"
    )
    assert response["Content-Disposition"].startswith("attachment")
    ws = read(response)["表"]
    values = [cell.value for cell in ws[2]]
    assert values[:6] == ["=1+1", "+86 138", "-3", "@SUM(A1)", "\tx", "plain"]
    assert all(cell.data_type == "s" for cell in ws[2][:6])
    assert values[6] == 5
    assert values[7].date() == datetime.date(2020, 1, 2)


def test_header_caption_freeze_and_filter(staff_user):
    sheet = Sheet("概况", ["名称", "数量"], [["a", 1], ["b", 2]], caption="2025 年度")
    ws = read(xlsx_response("t.xlsx", sheet, user=staff_user, export="test"))["概况"]
    assert ws["A1"].value == "2025 年度"
    assert [c.value for c in ws[2]] == ["名称", "数量"]
    assert ws["A2"].font.b
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:B4"


def test_masking():
    assert mask_id_number("640104195003011234") == "640104********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == "" and mask_phone(None) == ""


def test_the_exporter_writes_the_export_log(staff_user):
    sheet = Sheet("概况", ["名称"], iter([["a"], ["b"], ["c"]]))
    xlsx_response(
        "t.xlsx", sheet, user=staff_user, export="test.rows", query={"year": 2026, "b": "x"}
    )
    entry = ExportLog.objects.get()
    assert (entry.user, entry.export, entry.rows, entry.unmasked) == (
        staff_user,
        "test.rows",
        3,
        False,
    )
    assert entry.query == "b=x&year=2026"
