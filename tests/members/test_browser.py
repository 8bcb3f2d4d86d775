"""The import journey in a real browser: two bad rows reported, fixed, imported, in the roster."""

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
                "性别*": gender,
                "身份证号*": make_id_number(
                    "640104", BORN, seq, "male" if gender == "男" else "female"
                ),
                "出生日期*": "1949年10月1日",
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
    good = _workbook(secretary_user, tmp_path / "good.xlsx", _rows(broken=False))
    browser_login(page, "secretary")

    page.goto(page.base_url + "/members/import/")
    check_accessibility(page)
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "核对导入内容"
    alert = page.get_by_role("alert").inner_text()
    assert "2 行有问题" in alert
    problems = page.locator("#import-problems tbody tr").all_inner_texts()
    assert any(p.startswith("4") and "身份证号" in p and "校验码" in p for p in problems)
    assert any(p.startswith("5") and "联系电话" in p for p in problems)
    check_accessibility(page)

    page.get_by_role("link", name="重新上传文件").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_load_state()
    assert "每一行都有效" in page.content()
    check_accessibility(page)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()

    assert page.url.rstrip("/").endswith("/members")
    assert "导入完成：新增 3 人" in page.get_by_role("alert").inner_text() or (
        "导入完成：新增 3 人" in page.content()
    )
    for name in ("欧阳振华", "纳秀英", "司马长青"):
        assert page.get_by_role("link", name=name).count() == 1
    check_accessibility(page)
    page.get_by_role("link", name="纳秀英").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("纳秀英")
    check_accessibility(page)
    assert page.console_errors == []
