"""Every role against every roster page; masked values never in the bytes."""

import io

import pytest
from openpyxl import load_workbook

from core.models import ExportLog
from core.privacy import mask_id_number, mask_phone

pytestmark = pytest.mark.django_db

PHONE = "13987654321"


@pytest.fixture
def member_a(org_tree, make_member):
    return make_member(org_tree.branch_a, name="杨德明", phone=PHONE)


@pytest.fixture
def users(staff_user, secretary_user, other_secretary, supervisor_user, liaison_user, viewer_user):
    return {
        "staff": staff_user,
        "secretary": secretary_user,
        "secretary_b": other_secretary,
        "supervisor": supervisor_user,
        "liaison": liaison_user,
        "viewer": viewer_user,
    }


PAGES = [
    # (url name, needs member pk, expected per role)
    (
        "list",
        False,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 200,
            "supervisor": 200,
            "liaison": 200,
            "viewer": 200,
        },
    ),
    (
        "detail",
        True,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 404,
            "supervisor": 200,
            "liaison": 200,
            "viewer": 200,
        },
    ),
    (
        "edit",
        True,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 404,
            "supervisor": 403,
            "liaison": 403,
            "viewer": 403,
        },
    ),
    (
        "transfer_request",
        True,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 404,
            "supervisor": 403,
            "liaison": 403,
            "viewer": 403,
        },
    ),
    (
        "commendation_add",
        True,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 404,
            "supervisor": 403,
            "liaison": 403,
            "viewer": 403,
        },
    ),
    (
        "create",
        False,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 200,
            "supervisor": 403,
            "liaison": 403,
            "viewer": 403,
        },
    ),
    (
        "transfers",
        False,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 200,
            "supervisor": 403,
            "liaison": 403,
            "viewer": 403,
        },
    ),
    (
        "talent",
        False,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 200,
            "supervisor": 200,
            "liaison": 200,
            "viewer": 200,
        },
    ),
    (
        "import",
        False,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 200,
            "supervisor": 403,
            "liaison": 403,
            "viewer": 403,
        },
    ),
    (
        "import_template",
        False,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 200,
            "supervisor": 403,
            "liaison": 403,
            "viewer": 403,
        },
    ),
    (
        "export",
        False,
        {
            "staff": 200,
            "secretary": 200,
            "secretary_b": 200,
            "supervisor": 200,
            "liaison": 200,
            "viewer": 200,
        },
    ),
]
ROLES = ["staff", "secretary", "secretary_b", "supervisor", "liaison", "viewer"]


def _url(name, needs_pk, member):
    from django.urls import reverse

    return reverse(f"members:{name}", args=[member.pk] if needs_pk else [])


@pytest.mark.parametrize(("name", "needs_pk", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_is_sent_to_login(client, member_a, name, needs_pk, expected):
    response = client.get(_url(name, needs_pk, member_a))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "needs_pk", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_role_table(client, users, member_a, role, name, needs_pk, expected):
    client.force_login(users[role])
    response = client.get(_url(name, needs_pk, member_a))
    assert response.status_code == expected[role]


def test_other_secretary_cannot_change_by_post(client, other_secretary, member_a):
    client.force_login(other_secretary)
    response = client.post(f"/members/{member_a.pk}/edit/", {"name": "改名"})
    assert response.status_code == 404
    member_a.refresh_from_db()
    assert member_a.name == "杨德明"


def test_other_secretary_roster_does_not_list_member(client, other_secretary, member_a):
    client.force_login(other_secretary)
    content = client.get("/members/").content.decode()
    assert "杨德明" not in content


@pytest.mark.parametrize(
    ("role", "full_id", "full_phone"),
    [
        ("staff", True, True),
        ("secretary", False, True),
        ("supervisor", False, False),
        ("viewer", False, False),
    ],
)
@pytest.mark.parametrize("page", ["list", "detail"])
def test_masking_in_pages(client, users, member_a, role, full_id, full_phone, page):
    client.force_login(users[role])
    url = "/members/" if page == "list" else member_a.get_absolute_url()
    content = client.get(url).content.decode()
    assert "杨德明" in content
    if full_id:
        assert member_a.id_number in content
    else:
        assert member_a.id_number not in content
        assert mask_id_number(member_a.id_number) in content
    if full_phone:
        assert PHONE in content
    else:
        assert PHONE not in content
        assert mask_phone(PHONE) in content


def _export_bytes(client, query=""):
    response = client.get("/members/export.xlsx" + query)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _cells(data):
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [
        [str(v) if v is not None else "" for v in row] for row in sheet.iter_rows(values_only=True)
    ]


@pytest.mark.parametrize("role", ["secretary", "supervisor", "viewer", "liaison", "staff"])
def test_export_masked_by_default(client, users, member_a, role):
    client.force_login(users[role])
    text = "\n".join(
        "|".join(row)
        for row in _cells(_export_bytes(client, "?unmasked=1" if role != "staff" else ""))
    )
    assert member_a.id_number not in text
    assert PHONE not in text
    assert ExportLog.objects.filter(unmasked=True).count() == 0


def test_unmasked_export_for_staff_is_recorded(client, staff_user, member_a):
    client.force_login(staff_user)
    text = "\n".join(
        "|".join(r) for r in _cells(_export_bytes(client, "?category=retired&unmasked=1"))
    )
    assert member_a.id_number in text
    assert PHONE in text
    log = ExportLog.objects.get()
    assert log.unmasked and log.user == staff_user
    assert "category=retired" in log.query
    assert log.rows == 1


def test_liaison_does_not_see_members_outside_their_community(
    client, liaison_user, org_tree, make_member
):
    member_b = make_member(org_tree.branch_b, name="赵志强")
    client.force_login(liaison_user)
    assert client.get(member_b.get_absolute_url()).status_code == 404
    assert "赵志强" not in client.get("/members/").content.decode()
