"""The import journey in a real browser: two bad rows reported, the good one imported, the bad
ones downloaded, fixed and uploaded again, all three in the roster."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from members.columns import header_titles
from members.identity import make_id_number
from members.imports import build_template
from tests.conftest import browser_login, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BORN = datetime.date(1949, 10, 1)


def _workbook(secretary_user, path, rows):
    workbook = load_workbook(io.BytesIO(build_template(secretary_user)))
    sheet = workbook.worksheets[0]
    headers = header_titles()
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    workbook.save(path)
    return path


def _rows(*, broken: bool):
    rows = []
    for seq, (name, gender) in enumerate(
        [("欧阳振华", "男"), ("纳秀英", "女"), ("司马长青", "男")], start=1
    ):
        rows.append(
            {
                "姓名*": name,
                "性别": gender,
                "身份证号*": make_id_number(
                    "640104", BORN, seq, "male" if gender == "男" else "female"
                ),
                "出生日期": "1949年10月1日",
                "人员类别*": "退休",
                "所在党组织*": "阅海万家地缘党支部",
                "联系电话": "13912345678",
            }
        )
    if broken:
        rows[1]["身份证号*"] = rows[1]["身份证号*"][:-1] + (
            "0" if rows[1]["身份证号*"][-1] != "0" else "1"
        )
        rows[2]["联系电话"] = "12345"
    return rows


def test_import_two_bad_rows_then_fixed_file(page, secretary_user, tmp_path):
    bad = _workbook(secretary_user, tmp_path / "bad.xlsx", _rows(broken=True))
    browser_login(page, "secretary")

    page.goto(page.base_url + "/members/import/")
    check_accessibility(page)
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "核对导入内容"
    problems = page.locator("#import-problems tbody tr").all_inner_texts()
    assert any(
        p.startswith("4") and "纳秀英" in p and "身份证号" in p and "校验码" in p for p in problems
    )
    assert any(p.startswith("5") and "司马长青" in p and "12345" in p for p in problems)
    check_accessibility(page)

    # One button, saying what it does; the problem rows stay on the next page.
    page.get_by_role("button", name="导入 1 行，跳过 2 行").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "导入完成"
    assert page.locator("#import-problems tbody tr").count() == 2
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载有问题的行").click()
    fixed_path = tmp_path / "fixed.xlsx"
    download.value.save_as(fixed_path)
    workbook = load_workbook(fixed_path)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[-1] == "问题" and sheet.max_row == 3
    fixes = {r["姓名*"]: r for r in _rows(broken=False)}
    for line in sheet.iter_rows(min_row=2):
        name = line[0].value
        line[headers.index("身份证号*")].value = fixes[name]["身份证号*"]
        line[headers.index("联系电话")].value = fixes[name]["联系电话"]
    workbook.save(fixed_path)

    page.get_by_role("link", name="上传改好的文件").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(fixed_path))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_load_state()
    assert "每一行都有效" in page.content()
    check_accessibility(page)
    page.get_by_role("button", name="导入 2 行").click()
    page.wait_for_load_state()

    assert page.url.rstrip("/").endswith("/members")
    assert "导入完成：新增 2 人" in page.content()
    for name in ("欧阳振华", "纳秀英", "司马长青"):
        assert page.get_by_role("link", name=name).count() == 1
    check_accessibility(page)
    page.get_by_role("link", name="纳秀英").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("纳秀英")
    check_accessibility(page)
    assert page.console_errors == []
