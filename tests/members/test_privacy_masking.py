"""Masking that holds (issue 18, build 1) and the member form that reads 出生日期 and 性别 from the
ID number (issue 19, build 7): whoever sees an ID number masked sees no birth date and no exact
age beside it, and never finds the full number (nor its birth date) in a form's input."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from core.privacy import age_band, mask_id_number
from members.exports import export_headers
from members.identity import make_id_number
from members.models import Member

pytestmark = pytest.mark.django_db

BORN = datetime.date(1950, 3, 1)


@pytest.fixture
def member_a(org_tree, make_member):
    return make_member(org_tree.branch_a, name="杨德明", born=BORN)


@pytest.fixture
def users(staff_user, secretary_user, supervisor_user, liaison_user, viewer_user):
    return {
        "staff": staff_user,
        "secretary": secretary_user,
        "supervisor": supervisor_user,
        "liaison": liaison_user,
        "viewer": viewer_user,
    }


def test_age_bands():
    assert [age_band(a) for a in (45, 60, 69, 75, 80, 89, 90, 104)] == [
        "60岁以下",
        "60–69岁",
        "60–69岁",
        "70–79岁",
        "80–89岁",
        "80–89岁",
        "90岁及以上",
        "90岁及以上",
    ]


@pytest.mark.parametrize("role", ["secretary", "supervisor", "liaison", "viewer"])
@pytest.mark.parametrize("page", ["detail", "list"])
def test_a_masked_id_number_has_no_birth_date_or_age_beside_it(
    client, users, member_a, org_tree, role, page
):
    client.force_login(users[role])
    url = member_a.get_absolute_url() if page == "detail" else "/members/?per_page=100"
    html = client.get(url).content.decode()
    assert mask_id_number(member_a.id_number) in html
    assert "1950-03-01" not in html and "1950年3月1日" not in html
    assert f"{member_a.age}岁" not in html.replace(age_band(member_a.age), "")
    assert not re.search(rf"<td>\s*{member_a.age}\s*</td>", html)
    assert age_band(member_a.age) in html


@pytest.mark.parametrize("page", ["detail", "list"])
def test_staff_see_the_full_number_with_the_birth_date(client, staff_user, member_a, page):
    client.force_login(staff_user)
    url = member_a.get_absolute_url() if page == "detail" else "/members/"
    html = client.get(url).content.decode()
    assert member_a.id_number in html
    if page == "detail":
        assert "1950-03-01" in html
    else:
        assert re.search(rf"<td>\s*{member_a.age}\s*</td>", html)


def _export(client, query=""):
    response = client.get("/members/export.xlsx" + query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(
        i for i, r in enumerate(rows) if r[: len(export_headers())] == export_headers()
    )
    return rows[header_at], rows[header_at + 1 :]


@pytest.mark.parametrize("role", ["secretary", "supervisor", "liaison", "viewer"])
def test_the_masked_roster_export_has_no_birth_date_and_only_the_age_band(
    client, users, member_a, role
):
    client.force_login(users[role])
    header, [row] = _export(client, "?unmasked=1")
    assert row[header.index("身份证号")] == mask_id_number(member_a.id_number)
    assert row[header.index("出生日期")] is None
    assert row[header.index("年龄")] == age_band(member_a.age)


def test_the_unmasked_export_keeps_the_birth_date_and_the_age(client, staff_user, member_a):
    client.force_login(staff_user)
    header, [row] = _export(client, "?unmasked=1")
    assert row[header.index("身份证号")] == member_a.id_number
    assert row[header.index("出生日期")].date() == BORN
    assert row[header.index("年龄")] == member_a.age


# --- The member form -----------------------------------------------------------------------


def form_values(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))


def post_data(member: Member, **changes) -> dict:
    data = {
        "name": member.name,
        "ethnicity": member.ethnicity,
        "id_number": "",
        "category": member.category,
        "phone": member.phone,
        "party_standing": member.party_standing,
        "status": member.status,
        "health": member.health,
    }
    data.update(changes)
    return data


def test_a_secretary_never_finds_the_full_number_in_the_edit_form(client, secretary_user, member_a):
    client.force_login(secretary_user)
    response = client.get(f"/members/{member_a.pk}/edit/")
    html = response.content.decode()
    assert member_a.id_number not in html
    assert form_values(response).get("id_number", "") == ""
    assert "留空则保留现有号码" in html
    assert "1950-03-01" not in html  # nor the birth date the number holds


def test_left_empty_the_number_is_kept(client, secretary_user, member_a):
    client.force_login(secretary_user)
    number = member_a.id_number
    response = client.post(
        f"/members/{member_a.pk}/edit/", post_data(member_a, phone="13800001111")
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    member_a.refresh_from_db()
    assert member_a.phone == "13800001111"
    assert member_a.id_number == number
    assert (member_a.birth_date, member_a.gender) == (BORN, "male")


def test_a_new_number_typed_changes_it_and_the_birth_date_and_gender(
    client, secretary_user, member_a
):
    client.force_login(secretary_user)
    born = datetime.date(1946, 7, 15)
    new = make_id_number("640105", born, 33, "female")
    response = client.post(f"/members/{member_a.pk}/edit/", post_data(member_a, id_number=new))
    assert response.status_code == 302, response.content.decode()[-3000:]
    member_a.refresh_from_db()
    assert (member_a.id_number, member_a.birth_date, member_a.gender) == (new, born, "female")


def test_staff_see_the_number_in_the_form(client, staff_user, member_a):
    client.force_login(staff_user)
    response = client.get(f"/members/{member_a.pk}/edit/")
    assert form_values(response)["id_number"] == member_a.id_number


def test_birth_date_and_gender_come_from_the_id_number(client, staff_user, org_tree):
    client.force_login(staff_user)
    born = datetime.date(1938, 12, 9)
    number = make_id_number("640104", born, 41, "female")
    response = client.post(
        "/members/new/",
        {
            "name": "马秀英",
            "ethnicity": "回族",
            "id_number": number,
            "category": "retired",
            "organization": org_tree.branch_a.pk,
            "party_standing": "normal",
            "health": "good",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    member = Member.objects.get(name="马秀英")
    assert (member.birth_date, member.gender) == (born, "female")


def test_without_a_valid_number_birth_date_and_gender_are_asked(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = client.post(
        "/members/new/",
        {
            "name": "马秀英",
            "ethnicity": "回族",
            "id_number": "64010419381209",
            "category": "retired",
            "organization": org_tree.branch_a.pk,
            "party_standing": "normal",
            "health": "good",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写出生日期，或填写身份证号以自动读取。" in html
    assert "请填写性别，或填写身份证号以自动读取。" in html
    assert not Member.objects.exists()


def test_the_form_and_the_roster_say_姓名(client, staff_user, member_a):
    client.force_login(staff_user)
    form = client.get("/members/new/").content.decode()
    assert re.search(r"<label[^>]*for=\"id_name\"[^>]*>\s*姓名", form)
    assert not re.search(r"<(label|th)[^>]*>\s*名称", form)  # no person is a 名称
    assert '<th scope="col">姓名</th>' in client.get("/members/").content.decode()


def test_a_member_without_an_id_number(client, staff_user, org_tree, make_member):
    """Without an ID number, 出生日期 and 性别 are entered; two such members may coexist, while
    a given number stays unique (said on its field)."""
    client.force_login(staff_user)
    data = {
        "name": "马秀英",
        "ethnicity": "回族",
        "id_number": "",
        "gender": "female",
        "birth_date": "1938-12-09",
        "category": "retired",
        "organization": org_tree.branch_a.pk,
        "party_standing": "normal",
        "health": "good",
    }
    for _ in range(2):
        response = client.post("/members/new/", data)
        assert response.status_code == 302, response.content.decode()[-3000:]
    assert set(Member.objects.values_list("id_number", "birth_date", "gender")) == {
        ("", datetime.date(1938, 12, 9), "female")
    }
    assert Member.objects.count() == 2
    taken = make_member(org_tree.branch_b, name="赵志强")
    response = client.post("/members/new/", {**data, "id_number": taken.id_number, "gender": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["id_number"], errors
