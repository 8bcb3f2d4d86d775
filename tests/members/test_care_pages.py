"""Every role against every care and dues page; another organization's secretary gets 404; a
viewer sees amounts and care flags masked; N+1 guards; the exports masked by default."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.models import DuesBase
from members.services import (
    MemberError,
    care_flag_add,
    care_visit_record,
    dues_base_set,
    dues_payment_record,
    dues_rebase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_a(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a, name="杨德明", born=datetime.date(1940, 1, 1))
    care_flag_add(
        member=member,
        kind="ill",
        since=datetime.date(2024, 1, 1),
        note="住院",
        acting_user=staff_user,
    )
    year = datetime.date.today().year
    dues_base_set(member=member, year=year, monthly_base="4321.00", acting_user=staff_user)
    return member


@pytest.fixture
def payment(member_a, staff_user):
    return dues_payment_record(
        member=member_a,
        first_month=datetime.date(datetime.date.today().year, 1, 1),
        months=1,
        amount="21.61",
        collected_by="组织委员",
        receipt_number="R-77",
        acting_user=staff_user,
    )


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


LIST = {
    "staff": 200,
    "secretary": 200,
    "secretary_b": 200,
    "supervisor": 200,
    "liaison": 403,
    "viewer": 200,
}
OWN = {
    "staff": 200,
    "secretary": 200,
    "secretary_b": 404,
    "supervisor": 403,
    "liaison": 403,
    "viewer": 403,
}
REBASE = {
    "staff": 200,
    "secretary": 403,
    "secretary_b": 403,
    "supervisor": 403,
    "liaison": 403,
    "viewer": 403,
}

PAGES = [
    ("members:care", None, LIST),
    ("members:care_summary", None, LIST),
    ("members:care_export", None, LIST),
    ("members:dues", None, LIST),
    ("members:dues_export", None, LIST),
    ("members:dues_rebase", None, REBASE),
    ("members:visit_add", "member", OWN),
    ("members:care_flag_add", "member", OWN),
    ("members:dues_base", "member", OWN),
    ("members:dues_pay", "member", OWN),
    ("members:dues_receipt", "payment", OWN),
]


@pytest.mark.parametrize(
    "role", ["staff", "secretary", "secretary_b", "supervisor", "liaison", "viewer", "anonymous"]
)
@pytest.mark.parametrize(("name", "arg", "expected"), PAGES)
def test_permission_table(client, users, member_a, payment, role, name, arg, expected):
    args = [] if arg is None else [member_a.pk if arg == "member" else payment.pk]
    url = reverse(name, args=args)
    if role == "anonymous":
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.url
        return
    client.force_login(users[role])
    assert client.get(url).status_code == expected[role], (name, role)


def test_organization_filter_of_another_organization_is_404(
    client, other_secretary, org_tree, member_a
):
    client.force_login(other_secretary)
    for name in ("members:care", "members:dues"):
        response = client.get(reverse(name), {"organization": org_tree.branch_a.pk})
        assert response.status_code == 404


def test_viewer_sees_amounts_and_flags_masked(client, viewer_user, secretary_user, member_a):
    client.force_login(viewer_user)
    dues = client.get(reverse("members:dues")).content.decode()
    assert "杨德明" in dues and "4321.00" not in dues and "21.61" not in dues and "***" in dues
    care = client.get(reverse("members:care")).content.decode()
    assert "杨德明" in care and "住院" not in care and "无访视" not in care
    detail = client.get(member_a.get_absolute_url()).content.decode()
    assert "住院" not in detail
    client.force_login(secretary_user)
    assert "4321.00" in client.get(reverse("members:dues")).content.decode()
    assert "住院" in client.get(member_a.get_absolute_url()).content.decode()


def test_a_visit_shows_on_the_member_page(client, secretary_user, member_a):
    client.force_login(secretary_user)
    response = client.post(
        reverse("members:visit_add", args=[member_a.pk]),
        {
            "kind": "hospital",
            "visitors": "王建国",
            "visited_on": datetime.date.today().isoformat(),
            "gift_value": "0",
        },
    )
    assert response.status_code == 302
    assert "王建国" in client.get(member_a.get_absolute_url()).content.decode()


@pytest.mark.parametrize("name", ["members:care", "members:dues"])
def test_list_pages_have_no_n_plus_one(client, staff_user, org_tree, make_member, name):
    client.force_login(staff_user)

    def add(n):
        for _i in range(n):
            m = make_member(org_tree.branch_a, born=datetime.date(1940, 1, 1))
            dues_base_set(
                member=m,
                year=datetime.date.today().year,
                monthly_base="3000",
                acting_user=staff_user,
            )
            care_visit_record(
                member=m,
                kind="festival",
                visitors="x",
                visited_on=datetime.date(2020, 1, 1),
                acting_user=staff_user,
            )

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse(name)).status_code == 200
    assert len(more) == len(few)


def _cells(response) -> list:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [
        c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    ]


def test_exports_are_masked_by_default(client, staff_user, member_a, payment):
    care_visit_record(
        member=member_a, kind="hospital", visitors="支部", needs="轮椅", acting_user=staff_user
    )
    client.force_login(staff_user)
    dues = _cells(client.get(reverse("members:dues_export")))
    assert "杨德明" in dues and 4321 not in dues and "***" in dues
    unmasked = _cells(client.get(reverse("members:dues_export"), {"unmasked": "1"}))
    assert 4321 in unmasked
    care = _cells(client.get(reverse("members:care_export")))
    assert "轮椅" not in care and "***" in care


def test_an_export_opens_in_libreoffice(client, staff_user, member_a, payment, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (`which soffice libreoffice` found nothing)")
    client.force_login(staff_user)
    response = client.get(reverse("members:dues_export"))
    path = tmp_path / "dues.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert (tmp_path / "dues.pdf").stat().st_size > 0


def test_receipt_is_a_printout(client, secretary_user, payment):
    client.force_login(secretary_user)
    page = client.get(reverse("members:dues_receipt", args=[payment.pk])).content.decode()
    assert "R-77" in page and "receipt.css" in page


def test_secretary_home_links_to_the_care_list(client, secretary_user):
    client.force_login(secretary_user)
    assert reverse("members:care") in client.get("/").content.decode()


def test_rebasing_is_the_bureaus(client, secretary_user, staff_user, member_a):
    """A secretary may neither open nor send the rebasing (403), nor call the service; nothing
    is written. Bureau staff rebase every member at once."""
    year = datetime.date.today().year
    client.force_login(secretary_user)
    response = client.post(reverse("members:dues_rebase"), {"from_year": year, "percent": "3"})
    assert response.status_code == 403
    with pytest.raises(MemberError):
        dues_rebase(members=[member_a], from_year=year, percent="3", acting_user=secretary_user)
    assert not DuesBase.objects.filter(year=year + 1).exists()

    client.force_login(staff_user)
    response = client.post(reverse("members:dues_rebase"), {"from_year": year, "percent": "3"})
    assert response.status_code == 302
    assert DuesBase.objects.get(member=member_a, year=year + 1).monthly_base > 4321


def test_the_rebase_preview_counts_every_member_and_lists_the_first_lines(
    client, staff_user, member_a, monkeypatch
):
    """The preview names how many members and new bases, and lists only the first lines."""
    from members import care_views

    monkeypatch.setattr(care_views, "PREVIEW_LINES", 0)
    year = datetime.date.today().year
    client.force_login(staff_user)
    page = client.get(
        reverse("members:dues_rebase"), {"from_year": year, "percent": "3"}
    ).content.decode()
    assert "共 1 名党员，将写入 1 条新基数" in page
    assert member_a.name not in page  # no line shown with PREVIEW_LINES = 0
    monkeypatch.setattr(care_views, "PREVIEW_LINES", 100)
    page = client.get(
        reverse("members:dues_rebase"), {"from_year": year, "percent": "3"}
    ).content.decode()
    assert member_a.name in page
