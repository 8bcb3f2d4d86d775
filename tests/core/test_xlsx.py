"""The shared exporter (XlsxWriter, constant memory): formula-like text kept as text, values,
styles and page setup as openpyxl reads them back, the export log written by the exporter
itself, masking helpers."""

import datetime
import decimal
import io

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import load_workbook

from core import xlsx
from core.models import ExportLog
from core.privacy import mask_id_number, mask_phone
from core.xlsx import Sheet, build_workbook, xlsx_response
from members.identity import id_check_digit


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
    assert mask_id_number("640104195003011234") == "640104********123*"
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


def build(sheets) -> bytes:
    spool = io.BytesIO()
    build_workbook(sheets, spool)
    return spool.getvalue()


def test_formula_like_text_starting_with_cr_or_shaped_like_rich_text_reads_back_the_same():
    values = ["\rx", "=a\r\nb", "line\r\nbreak", "<r><t>a</t></r>", "<b>&amp;</b>", "_x0041_?"]
    ws = load_workbook(io.BytesIO(build([Sheet("t", ["c"] * len(values), [values])])))["t"]
    cells = ws[2]
    assert [cell.value for cell in cells[:5]] == values[:5]
    assert all(cell.data_type == "s" for cell in cells)
    # Formula-like text carries Excel's quote prefix: typed over, it still is not a formula.
    assert [cell.quotePrefix for cell in cells[:3]] == [True, True, False]


def test_values_dates_and_number_formats(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    aware = datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC)  # 10:30 in Yinchuan
    rows = [
        [aware, datetime.date(2026, 3, 2), decimal.Decimal("1.50"), None, True, 0.25, "x"],
        [None, None, decimal.Decimal("2"), "", False, 1, _lazy("Yes")],
    ]
    sheet = Sheet("t", list("abcdefg"), rows, number_formats={1: "yyyy/mm/dd", 5: "0.0%"})
    ws = load_workbook(io.BytesIO(build([sheet])))["t"]
    first, second = ws[2], ws[3]
    assert first[0].value == datetime.datetime(2026, 3, 1, 10, 30)
    assert first[0].number_format == "yyyy-mm-dd hh:mm"
    assert first[1].value == datetime.datetime(2026, 3, 2)
    assert first[1].number_format == "yyyy/mm/dd"
    assert (first[2].value, first[3].value, first[4].value) == (1.5, None, True)
    assert (first[5].value, first[5].number_format) == (0.25, "0.0%")
    assert second[5].number_format == "0.0%"
    assert [cell.value for cell in second] == [None, None, 2, None, False, 1, str(_lazy("Yes"))]


def test_a_value_of_another_type_is_written_as_its_text():
    class Code:
        def __str__(self):
            return "ABC-1"

    ws = load_workbook(io.BytesIO(build([Sheet("t", ["a", "b"], [[Code(), 3]])])))["t"]
    assert [cell.value for cell in ws[2]] == ["ABC-1", 3]


def test_sheet_titles_are_valid_unique_and_at_most_31_characters():
    long = "组织生活会" * 8
    sheets = [Sheet(long, ["a"], []), Sheet(long, ["a"], []), Sheet("a/b:c?", ["a"], [])]
    workbook = load_workbook(io.BytesIO(build(sheets)))
    names = workbook.sheetnames
    assert names[0] == long[:31]
    assert len(names[1]) <= 31 and names[1].endswith("(2)")
    assert names[2] == "a_b_c_"


def test_styles_widths_and_page_setup(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    wide = Sheet(
        "宽", [f"列{i}" for i in range(12)], [list(range(12))], caption="标题", widths=[9, 20] * 6
    )
    narrow = Sheet("窄", ["名称", "数量"], [["a", 1]])
    workbook = load_workbook(io.BytesIO(build([wide, narrow])))
    ws = workbook["宽"]
    header = ws["A2"]
    assert header.font.b and header.alignment.wrap_text and header.alignment.horizontal == "center"
    assert header.fill.fgColor.rgb.endswith("F2DCDB")
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    # Widths in characters plus Excel's padding (equal neighbours would share one <col>).
    assert 9 <= ws.column_dimensions["A"].width < 10.5
    assert 20 <= ws.column_dimensions["B"].width < 21.5
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A3", "A2:L3")
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$2:$2"
    assert ws.oddFooter.right.text == "第 &P 页，共 &N 页"
    assert ws.oddFooter.left.text == timezone.localdate().isoformat()
    other = workbook["窄"]
    assert other.page_setup.orientation != "landscape"
    assert (other.print_title_rows, other.freeze_panes, other.auto_filter.ref) == (
        "$1:$1",
        "A2",
        "A1:B2",
    )


def test_progress_is_reported_every_n_rows_across_sheets():
    seen = []
    sheets = [
        Sheet("a", ["x"], ([i] for i in range(5))),
        Sheet("b", ["x"], ([i] for i in range(4))),
    ]
    total = build_workbook(sheets, io.BytesIO(), progress=seen.append, every=3)
    assert (total, seen) == (9, [3, 6, 9])


def test_rows_past_excels_last_row_go_on_to_a_second_sheet(monkeypatch):
    monkeypatch.setattr(xlsx, "LAST_ROW", 4)  # header at 0, data rows 1–4
    workbook = load_workbook(io.BytesIO(build([Sheet("名单", ["n"], ([i] for i in range(6)))])))
    first, second = workbook.worksheets
    assert [row[0] for row in first.iter_rows(min_row=2, values_only=True)] == [0, 1, 2, 3]
    assert second.title == "名单 (2)" and second["A1"].value == "n"
    assert [row[0] for row in second.iter_rows(min_row=2, values_only=True)] == [4, 5]


def test_a_masked_id_and_the_birth_month_leave_every_day_possible():
    """The care list tells masked roles a member's birth year and month ("turns 80 this
    month"). With the check digit shown, that and the mask narrowed the number to ~3
    candidates; without it, every day of the month stays possible."""
    first17 = "64010419461215123"
    full = first17 + id_check_digit(first17)
    masked = mask_id_number(full)
    assert masked.startswith("640104") and "1946" not in masked
    candidates = []
    for day in range(1, 32):
        guess17 = f"{masked[:6]}194612{day:02d}{masked[14:17]}"
        guess = guess17 + id_check_digit(guess17)
        if all(shown in ("*", real) for shown, real in zip(masked, guess, strict=True)):
            candidates.append(guess)
    assert len(candidates) == 31 and full in candidates
