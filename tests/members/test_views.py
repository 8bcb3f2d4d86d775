"""Roster pages, the Excel import and the export, through the pages."""

import datetime
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from branches.models import Community
from members import imports
from members.columns import header_titles
from members.identity import make_id_number
from members.imports import build_template
from members.models import Member

pytestmark = pytest.mark.django_db


def _roster_queries(client, count_url="/members/?per_page=100"):
    client.get(count_url)  # the reference lists (communities) read once, then cached
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(count_url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_roster_same_queries_for_10_and_100_rows(client, staff_user, org_tree, make_member):
    client.force_login(staff_user)
    for i in range(10):
        make_member(org_tree.branch_a, name=f"张{i}", skills=["法律"])
    few, response = _roster_queries(client)
    assert response.content.decode().count("/members/") > 10
    for i in range(90):
        make_member(org_tree.branch_b, name=f"李{i}", skills=["医疗", "书画"])
    many, response = _roster_queries(client)
    assert response.content.decode().count('href="/members/') >= 100
    assert few == many


def test_search_by_pinyin_initials_and_filters(client, staff_user, org_tree, make_member):
    make_member(org_tree.branch_a, name="王建国", born=datetime.date(1940, 1, 1))
    make_member(org_tree.branch_b, name="李秀兰", gender="female", born=datetime.date(1965, 5, 5))
    client.force_login(staff_user)
    content = client.get("/members/?q=wjg").content.decode()
    assert "王建国" in content and "李秀兰" not in content
    content = client.get("/members/?aged_70=on").content.decode()
    assert "王建国" in content and "李秀兰" not in content
    content = client.get(f"/members/?organization={org_tree.branch_b.pk}").content.decode()
    assert "王建国" not in content and "李秀兰" in content


def test_export_equals_filtered_roster(client, staff_user, org_tree, make_member):
    make_member(org_tree.branch_a, name="王建国", skills=["法律"])
    make_member(org_tree.branch_a, name="=HYPERLINK(1)")
    make_member(org_tree.branch_b, name="李秀兰")
    client.force_login(staff_user)
    query = f"?organization={org_tree.branch_a.pk}"
    response = client.get("/members/export.xlsx" + query)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    exported = sorted(row[0] for row in rows)
    roster = sorted(
        Member.objects.filter(organization__path__startswith=org_tree.branch_a.path).values_list(
            "name", flat=True
        )
    )
    assert exported == roster == ["=HYPERLINK(1)", "王建国"]
    headers = [c.value for c in sheet[2]]
    wang = next(row for row in rows if row[0] == "王建国")
    assert wang[headers.index("特长")] == "法律"
    assert wang[headers.index("所在党组织")] == "阅海万家地缘党支部"
    assert wang[headers.index("人员类别")] == "退休"
    assert "*" in wang[headers.index("身份证号")]  # masked by default, even for staff
    formula_cell = next(c for c in sheet["A"] if c.value == "=HYPERLINK(1)")
    assert formula_cell.data_type == "s"


# --- Import ----------------------------------------------------------------------------------

HEADERS = header_titles()


def _row(
    name, born, seq, *, gender="男", org="阅海万家地缘党支部", category="退休", phone="13912345678"
):
    id_number = make_id_number("640104", born, seq, "male" if gender == "男" else "female")
    values = {
        "姓名*": name,
        "性别": gender,
        "身份证号*": id_number,
        "出生日期": born.strftime("%Y.%-m.%-d"),
        "人员类别*": category,
        "所在党组织*": org,
        "联系电话": phone,
        "特长": "法律、宣讲",
        "愿意参加志愿服务": "是",
    }
    return [values.get(h) for h in HEADERS]


def _xlsx(rows, headers=HEADERS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "members.xlsx"
    return buffer


def _upload(client, fileobj):
    return client.post("/members/import/", {"file": fileobj})


def _confirm(client, preview):
    """Press the one 导入 button of the preview page (the counts it shows come back)."""
    content = preview.content.decode()
    fields = dict(re.findall(r'name="(token|to_import|to_skip)" value="([^"]*)"', content))
    return client.post("/members/import/confirm/", fields)


def test_template_has_chinese_headers_validations_and_example(staff_user, org_tree):
    workbook = load_workbook(io.BytesIO(build_template(staff_user)))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]][:5] == ["姓名*", "性别", "民族", "身份证号*", "出生日期"]
    assert sheet["A2"].value.startswith("（示例）")
    assert len(sheet.data_validations.dataValidation) >= 7


def test_bad_rows_reported_with_row_numbers_and_nothing_written(client, staff_user, org_tree):
    client.force_login(staff_user)
    born = datetime.date(1950, 3, 1)
    good = _row("王建国", born, 1)
    bad_id = _row("李秀兰", born, 2)
    bad_id[HEADERS.index("身份证号*")] = bad_id[HEADERS.index("身份证号*")][:-1] + "0"
    bad_org = _row("赵志强", born, 3, org="不存在的支部", phone="12345")
    response = _upload(client, _xlsx([good, bad_id, bad_org]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 行有问题" in content or "2 rows have problems" in content
    assert "<td>3</td><td>李秀兰</td><td>身份证号</td>" in content
    assert "<td>4</td><td>赵志强</td><td>所在党组织</td>" in content
    assert "<td>4</td><td>赵志强</td><td>联系电话</td>" in content
    assert Member.objects.count() == 0
    token = client.session["members_import"]["token"]
    response = _confirm(client, response)
    assert response.status_code == 302 and response.url == "/members/import/done/"
    assert list(Member.objects.values_list("name", flat=True)) == ["王建国"]
    assert not default_storage.exists(f"member-imports/{token}.xlsx")


def test_second_import_updates_not_duplicates(client, staff_user, org_tree):
    client.force_login(staff_user)
    born = datetime.date(1948, 12, 31)
    rows = [_row("王建国", born, 1), _row("李秀兰", born, 2, gender="女")]
    for phone in ("13912345678", "13800001111"):
        for row in rows:
            row[HEADERS.index("联系电话")] = phone
        response = _upload(client, _xlsx(rows))
        assert "每一行都有效" in response.content.decode() or "Every row is valid" in (
            response.content.decode()
        )
        _confirm(client, response)
    assert Member.objects.count() == 2
    assert set(Member.objects.values_list("phone", flat=True)) == {"13800001111"}
    member = Member.objects.get(name="李秀兰")
    assert member.name_initials == "lxl"
    assert member.birth_date == born
    assert sorted(member.skills.values_list("name", flat=True)) == ["宣讲", "法律"]
    assert member.history.count() == 2
    # Both bulk writes name their action and who did it in the member's history.
    assert list(
        member.history.order_by("history_id").values_list(
            "history_change_reason", "history_user__username"
        )
    ) == [("members.member.import_create", "staff"), ("members.member.import_update", "staff")]


@pytest.mark.parametrize("written", ["1950-03-01", "1950.3.1", "1950年3月1日", "19500301"])
def test_text_dates_understood(client, staff_user, org_tree, written):
    client.force_login(staff_user)
    row = _row("王建国", datetime.date(1950, 3, 1), 1)
    row[HEADERS.index("出生日期")] = written
    _confirm(client, _upload(client, _xlsx([row])))
    assert Member.objects.get().birth_date == datetime.date(1950, 3, 1)


def test_formula_cells_read_as_values(client, staff_user, org_tree, tmp_path):
    """A formula cell with a cached value (as Excel saves it) is read as that value."""
    client.force_login(staff_user)
    row = _row("王建国", datetime.date(1950, 3, 1), 1)
    buffer = _xlsx([row])
    # openpyxl cannot write a cached value; write one into the sheet XML directly.
    import zipfile

    source = zipfile.ZipFile(buffer)
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                ethnicity_col = "C"
                cell = f'<c r="{ethnicity_col}2" t="str"><f>"汉"&amp;"族"</f><v>汉族</v></c>'
                text = text.replace('<c r="D2"', cell + '<c r="D2"', 1)
                data = text.encode()
            target.writestr(item, data)
    target_buffer.seek(0)
    target_buffer.name = "formula.xlsx"
    response = _upload(client, target_buffer)
    content = response.content.decode()
    assert "每一行都有效" in content, content[content.find("<main") :]
    _confirm(client, response)
    assert Member.objects.get().ethnicity == "汉族"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("members.csv", b"a,b,c\n", ".xlsx"),
        ("members.xlsx", b"PK\x03\x04truncated", "无法读取"),
        ("members.xlsx", b"not a zip at all", "无法读取"),
    ],
)
def test_bad_files_refused(client, staff_user, org_tree, name, content, message):
    client.force_login(staff_user)
    upload = io.BytesIO(content)
    upload.name = name
    response = _upload(client, upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "members_import" not in client.session


def test_truncated_real_xlsx_refused(client, staff_user, org_tree):
    client.force_login(staff_user)
    data = _xlsx([_row("王建国", datetime.date(1950, 3, 1), 1)]).getvalue()
    upload = io.BytesIO(data[: len(data) // 2])
    upload.name = "half.xlsx"
    response = _upload(client, upload)
    assert "无法读取" in response.content.decode()
    assert Member.objects.count() == 0


def test_missing_columns_refused(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = _upload(client, _xlsx([["王建国"]], headers=["姓名*"]))
    content = response.content.decode()
    assert "缺少必填列" in content and "身份证号" in content


def test_too_large_file_refused(client, staff_user, org_tree):
    client.force_login(staff_user)
    upload = io.BytesIO(b"0" * (5 * 1024 * 1024 + 1))
    upload.name = "big.xlsx"
    assert "5 MB" in _upload(client, upload).content.decode()


def test_too_many_rows_refused(client, staff_user, org_tree, monkeypatch):

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    client.force_login(staff_user)
    rows = [_row(f"王{i}", datetime.date(1950, 3, 1), i) for i in range(4)]
    assert "3" in _upload(client, _xlsx(rows)).content.decode()
    assert "members_import" not in client.session


def test_secretary_cannot_import_into_other_branch(client, secretary_user, org_tree):
    client.force_login(secretary_user)
    row = _row("王建国", datetime.date(1950, 3, 1), 1, org="教育局离退休干部党支部")
    content = _upload(client, _xlsx([row])).content.decode()
    assert "<td>2</td><td>王建国</td><td>所在党组织</td>" in content


def test_organization_page_shows_members_section(client, staff_user, org_tree, make_member):

    make_member(org_tree.branch_a, name="王建国", confirmed_on=datetime.date(1975, 1, 1))
    make_member(
        org_tree.branch_a,
        name="李秀兰",
        gender="female",
        registered_community=Community.objects.get(name="阅海万家社区"),
        registered_on=datetime.date(2024, 3, 1),
    )
    client.force_login(staff_user)
    content = client.get(f"/branches/{org_tree.branch_a.pk}/").content.decode()
    assert 'id="org-members-heading"' in content
    assert "1 (50.0%)" in content  # registered with a community
    assert f"/members/?organization={org_tree.branch_a.pk}" in content


def test_talent_pool_search(client, staff_user, org_tree, make_member):
    dikuang = Community.objects.filter(name__startswith="地矿").first()
    make_member(
        org_tree.branch_a,
        name="王建国",
        skills=["法律"],
        willing_to_volunteer=True,
        registered_community=dikuang,
        registered_on=datetime.date(2024, 3, 1),
    )
    make_member(org_tree.branch_a, name="李秀兰", gender="female", skills=["法律"])
    make_member(org_tree.branch_b, name="赵志强", skills=["医疗"], willing_to_volunteer=True)
    client.force_login(staff_user)
    content = client.get(
        f"/members/talent/?skill=法律&community={dikuang.pk}&willing=on"
    ).content.decode()
    assert "王建国" in content
    assert "李秀兰" not in content and "赵志强" not in content


def test_transfer_through_pages(client, secretary_user, staff_user, org_tree, make_member):
    member = make_member(org_tree.branch_a, name="王建国")
    client.force_login(secretary_user)
    response = client.post(
        f"/members/{member.pk}/transfer/",
        {"to_organization": org_tree.branch_b.pk, "reason": "搬家"},
    )
    assert response.status_code == 302
    client.force_login(staff_user)
    content = client.get("/members/transfers/").content.decode()
    assert "王建国" in content and "搬家" in content
    transfer = member.transfers.get()
    client.post(f"/members/transfers/{transfer.pk}/return/", {"return_reason": ""})
    transfer.refresh_from_db()
    assert transfer.state == "requested"  # a return needs a reason
    client.post(f"/members/transfers/{transfer.pk}/approve/")
    client.post(f"/members/transfers/{transfer.pk}/complete/")
    member.refresh_from_db()
    assert member.organization == org_tree.branch_b
    content = client.get(member.get_absolute_url()).content.decode()
    history = content[content.index("组织关系变动记录") :]
    assert "阅海万家地缘党支部" in history
    assert "教育局离退休干部党支部" in history
    assert "已完成" in history
