"""An import the person can act on (issue 19, build 6) that leaks nothing (issue 18, build 2):
each problem names the row, the person, the column, the value found and what to do; full-width
digits and numbers Excel made of ID numbers are read as a person means them; one 导入 button
with its counts; the rows with problems downloadable; nothing written by a refused import."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from members import imports
from members.columns import header_titles
from members.identity import make_id_number
from members.imports import ROW_REFUSED, build_template
from members.models import Member

pytestmark = pytest.mark.django_db

HEADERS = header_titles()
BORN = datetime.date(1950, 3, 1)
FULL_WIDTH = str.maketrans("0123456789X ", "０１２３４５６７８９Ｘ　")


def row(name, seq, *, gender="男", org="阅海万家地缘党支部", **values) -> list:
    cells = {
        "姓名*": name,
        "性别": gender,
        "身份证号*": make_id_number("640104", BORN, seq, "male" if gender == "男" else "female"),
        "出生日期": "1950-03-01",
        "人员类别*": "退休",
        "所在党组织*": org,
        "联系电话": "13912345678",
    }
    cells.update(values)
    return [cells.get(h) for h in HEADERS]


def xlsx(rows, *, raw_numbers: dict[str, str] | None = None) -> io.BytesIO:
    """The rows as an .xlsx; text starting with = stays text (as someone typed it, quoted).

    `raw_numbers` {cell: digits} writes those cells as numbers exactly as given: openpyxl
    itself, like Excel, keeps only 15 digits of a large number; other programs write them all.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for values in rows:
        sheet.append(values)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    if raw_numbers:
        source = zipfile.ZipFile(buffer)
        patched = io.BytesIO()
        with zipfile.ZipFile(patched, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    text = data.decode()
                    for ref, digits in raw_numbers.items():
                        text = re.sub(
                            rf'<c r="{ref}"[^>]*>.*?</c>',
                            f'<c r="{ref}" t="n"><v>{digits}</v></c>',
                            text,
                        )
                    data = text.encode()
                target.writestr(item, data)
        buffer = patched
    buffer.seek(0)
    buffer.name = "党员名册.xlsx"
    return buffer


def upload(client, rows, **kwargs):
    response = client.post("/members/import/", {"file": xlsx(rows, **kwargs)})
    assert response.status_code == 200
    return response


def confirm(client, preview):
    fields = dict(
        re.findall(r'name="(token|to_import|to_skip)" value="([^"]*)"', preview.content.decode())
    )
    return client.post("/members/import/confirm/", fields)


def problems_of(response) -> list[list[str]]:
    """The problem table: [row, name, column, value, message] per line."""
    html = response.content.decode()
    table = html[html.find('id="import-problems"') :]
    table = table[: table.find("</table>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        if "<td" in tr
    ]


# --- Issue 18: an ID number held outside the user's scope ---------------------------------


def test_an_id_number_held_elsewhere_gets_the_message_of_any_refused_row(
    client, secretary_user, org_tree, make_member
):
    elsewhere = make_member(org_tree.branch_b, name="赵志强")
    client.force_login(secretary_user)
    content_row = row("张三", 7, **{"身份证号*": elsewhere.id_number})
    response = upload(client, [content_row])
    html = response.content.decode()
    assert problems_of(response) == [
        ["2", "张三", "身份证号", elsewhere.id_number, str(ROW_REFUSED)]
    ]
    assert "不管理" not in html and "do not keep" not in html
    assert org_tree.branch_b.name not in html and "赵志强" not in html
    # …the same message a refused row gets, whoever holds the number.
    assert str(ROW_REFUSED) == "此行无法导入。请核对身份证号；如无误，请联系机关工作人员。"


# --- Issue 19: problems one can act on -------------------------------------------------------


def test_each_problem_names_row_person_column_value_and_what_to_do(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = upload(
        client,
        [
            row("王建国", 1),
            row("李秀兰", 2, gender="女", 联系电话="12345", **{"人员类别*": "不知道"}),
            row("赵志强", 3, 出生日期="1950年13月1日"),
        ],
    )
    problems = problems_of(response)
    by_column = {(p[0], p[2]): p for p in problems}
    phone = by_column[("3", "联系电话")]
    assert phone[1] == "李秀兰" and phone[3] == "12345" and "0951-1234567" in phone[4]
    category = by_column[("3", "人员类别")]
    assert category[3] == "不知道" and "退休" in category[4]  # the choices to pick from
    date = by_column[("4", "出生日期")]
    assert date[1] == "赵志强" and date[3] == "1950年13月1日" and "1950-03-01" in date[4]


def test_full_width_digits_spaces_and_x_are_read_as_plain_ones(client, staff_user, org_tree):
    client.force_login(staff_user)
    number = next(
        make_id_number("640104", BORN, seq, "male")
        for seq in range(500)
        if make_id_number("640104", BORN, seq, "male").endswith("X")
    )
    response = upload(
        client,
        [
            row(
                "王建国",
                1,
                **{
                    "身份证号*": " ".join([number[:6], number[6:14], number[14:]]).translate(
                        FULL_WIDTH
                    ),
                    "联系电话": "１３９ １２３４　５６７８",
                },
            )
        ],
    )
    assert "每一行都有效" in response.content.decode(), problems_of(response)
    confirm(client, response)
    member = Member.objects.get()
    assert (member.id_number, member.phone) == (number, "13912345678")


def test_an_id_number_stored_as_an_exact_number_is_read_as_text(client, staff_user, org_tree):
    client.force_login(staff_user)
    number = make_id_number("640104", BORN, 3, "male")
    assert number[-1] != "X"
    column = load_workbook(xlsx([])).active.cell(row=1, column=HEADERS.index("身份证号*") + 1)
    response = upload(client, [row("王建国", 3)], raw_numbers={f"{column.column_letter}2": number})
    assert "每一行都有效" in response.content.decode(), problems_of(response)
    confirm(client, response)
    assert Member.objects.get().id_number == number


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        (640104195003010047, ("640104195003010047", None)),
        (640104195003010.0, ("640104195003010", None)),  # 15 digits: exact
        (640104195003010047.0, ("640104195003010048", "lost")),
        ("6.40104195003011E+17", ("6.40104195003011E+17", "lost")),
        ("６４０１０４ １９５００３０１００４７", ("640104195003010047", None)),
    ],
)
def test_reading_an_id_number_cell(cell, read):
    number, problem = imports.read_id_number(cell)
    assert (number, problem and "lost") == read


@pytest.mark.parametrize("cell", [640104195003011234.0, "6.40104195003011E+17", "6.40104E+17"])
def test_an_id_number_excel_turned_into_a_number_says_so(client, staff_user, org_tree, cell):
    client.force_login(staff_user)
    response = upload(client, [row("王建国", 3, **{"身份证号*": cell})])
    [problem] = problems_of(response)
    assert problem[:3] == ["2", "王建国", "身份证号"]
    assert "Excel" in problem[4] and "文本" in problem[4]
    assert "校验码" not in problem[4]


def test_the_check_digit_is_blamed_only_when_it_is_wrong(client, staff_user, org_tree):
    client.force_login(staff_user)
    number = make_id_number("640104", BORN, 5, "male")
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    response = upload(
        client,
        [
            row("王建国", 5, **{"身份证号*": wrong}),
            row("李秀兰", 6, gender="女", **{"身份证号*": number[:17]}),
        ],
    )
    messages = {p[1]: p[4] for p in problems_of(response)}
    assert "校验码" in messages["王建国"]
    assert "校验码" not in messages["李秀兰"] and "18" in messages["李秀兰"]


def test_gender_and_birth_date_are_read_from_the_id_number(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = upload(client, [row("李秀兰", 8, gender="女", 性别=None, 出生日期=None)])
    assert "每一行都有效" in response.content.decode(), problems_of(response)
    confirm(client, response)
    member = Member.objects.get()
    assert (member.gender, member.birth_date) == ("female", BORN)


def test_without_a_valid_id_number_gender_and_birth_date_are_asked(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = upload(client, [row("王建国", 1, 出生日期=None, **{"身份证号*": "640104"})])
    columns = {p[2] for p in problems_of(response)}
    assert {"身份证号", "出生日期"} <= columns


# --- One button, the problem rows kept -------------------------------------------------------


def test_one_import_button_says_what_it_imports_and_skips(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = upload(client, [row("王建国", 1), row("李秀兰", 2, gender="女", 联系电话="12345")])
    html = response.content.decode()
    form = html[html.find('action="/members/import/confirm/"') :]
    form = form[: form.find("</form>")]
    assert 'type="checkbox"' not in form
    button = re.search(r'<button[^>]*id="import-button"[^>]*>(.*?)</button>', form, re.S)
    assert re.sub(r"<[^>]+>", "", button.group(1)).strip() == "导入 1 行，跳过 1 行"

    done = client.get(confirm(client, response).url)
    assert list(Member.objects.values_list("name", flat=True)) == ["王建国"]
    assert [p[:3] for p in problems_of(done)] == [["3", "李秀兰", "联系电话"]]
    assert "/members/import/problems.xlsx" in done.content.decode()


def test_the_rows_with_problems_download_to_fix_and_upload_again(client, staff_user, org_tree):
    client.force_login(staff_user)
    bad_number = make_id_number("640104", BORN, 2, "female")
    bad = row("李秀兰", 2, gender="女", 联系电话="12345", **{"身份证号*": bad_number})
    formula = row("赵志强", 3, **{"人员类别*": "=1+1"})
    upload(client, [row("王建国", 1), bad, formula])
    response = client.get("/members/import/problems.xlsx")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert rows[0] == [*HEADERS, "问题"]
    assert [r[0] for r in rows[1:]] == ["李秀兰", "赵志强"]
    id_cell = sheet.cell(row=2, column=HEADERS.index("身份证号*") + 1)
    assert id_cell.value == bad_number and id_cell.data_type == "s"
    assert sheet.cell(row=3, column=HEADERS.index("人员类别*") + 1).data_type == "s"  # no formula
    assert "联系电话" in rows[1][-1]

    # Fixed and uploaded again, as is (the 问题 column is ignored).
    rows[1][HEADERS.index("联系电话")] = "13912345678"
    rows[2][HEADERS.index("人员类别*")] = "退休"
    fixed = Workbook()
    for line in rows:
        fixed.active.append(line)
    buffer = io.BytesIO()
    fixed.save(buffer)
    buffer.seek(0)
    buffer.name = "fixed.xlsx"
    preview = client.post("/members/import/", {"file": buffer})
    assert "每一行都有效" in preview.content.decode(), problems_of(preview)


def test_the_template_keeps_id_numbers_as_text(staff_user, org_tree):
    sheet = load_workbook(io.BytesIO(build_template(staff_user))).worksheets[0]
    letter = sheet.cell(row=1, column=HEADERS.index("身份证号*") + 1).column_letter
    assert sheet[f"{letter}2"].number_format == "@"


# --- A refused import writes nothing -----------------------------------------------------------


def test_an_import_whose_check_changed_writes_nothing(client, staff_user, org_tree, make_member):
    client.force_login(staff_user)
    rows = [row("王建国", 11), row("李秀兰", 12, gender="女")]
    response = upload(client, rows)
    # Meanwhile someone adds the second person to another organization.
    make_member(org_tree.branch_b, name="李秀兰", gender="female", id_number=rows[1][3])
    before = Member.objects.count()
    result = confirm(client, response)
    assert result.status_code == 302 and result.url == "/members/import/"
    assert Member.objects.count() == before
    assert not Member.objects.filter(name="王建国").exists()


def test_a_failure_during_the_write_leaves_nothing(staff_user, org_tree, monkeypatch):
    columns, data = imports.read_workbook(xlsx([row("王建国", 21), row("李秀兰", 22, gender="女")]))
    check = imports.validate_rows(staff_user, columns, data)

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports, "announce_records_changed", fail)
    with pytest.raises(RuntimeError):
        imports.import_rows(staff_user, check, expected=(2, 0))
    assert Member.objects.count() == 0


def test_the_confirm_without_the_counts_writes_nothing(client, staff_user, org_tree):
    client.force_login(staff_user)
    upload(client, [row("王建国", 31)])
    token = client.session["members_import"]["token"]
    response = client.post("/members/import/confirm/", {"token": token})
    assert response.status_code == 302 and response.url == "/members/import/"
    assert Member.objects.count() == 0
