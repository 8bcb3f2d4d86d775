"""The funds ledger (经费保障): balance after allocations, spending and a reversing entry; no
edit or delete; 六有 经费有保障; permission table; N+1 guards; the export in LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches import funds, selectors
from branches.models import FundEntry, FundEntryImmutable
from core.actors import system_actor

pytestmark = pytest.mark.django_db

D = Decimal
PDF = b"%PDF-1.4\n%%EOF\n"


def _today():
    return timezone.localdate()


@pytest.fixture
def ledger(org_tree, secretary_user):
    org = org_tree.branch_a
    day = _today()
    funds.allocation_record(
        organization=org,
        acting_user=secretary_user,
        date=day,
        amount=D("5000.00"),
        source="bureau",
        payee="市委老干部局",
    )
    funds.allocation_record(
        organization=org,
        acting_user=secretary_user,
        date=day,
        amount=D("1000.00"),
        source="community",
    )
    funds.expense_record(
        organization=org,
        acting_user=secretary_user,
        date=day,
        amount=D("320.50"),
        category="activities",
        payee="红色教育基地",
        receipt=SimpleUploadedFile("票据.pdf", PDF),
    )
    wrong = funds.expense_record(
        organization=org,
        acting_user=secretary_user,
        date=day,
        amount=D("800.00"),
        category="study",
        payee="新华书店",
    )
    funds.entry_reverse(entry=wrong, acting_user=secretary_user, reason="金额录错")
    return org


def test_balance_after_allocations_spending_and_a_reversal(ledger):
    summary = funds.year_summary(ledger, _today().year)
    assert summary.balance == D("5679.50")
    assert summary.allocated == D("6000.00")
    assert summary.spent == D("320.50")
    assert dict(summary.by_category)["学习资料"] == D("0.00")
    assert FundEntry.objects.filter(organization=ledger).count() == 5  # nothing edited away


def test_entries_are_never_edited_or_deleted(ledger, secretary_user):
    entry = FundEntry.objects.filter(organization=ledger).first()
    entry.amount = D("1.00")
    with pytest.raises(FundEntryImmutable):
        entry.save()
    with pytest.raises(FundEntryImmutable):
        entry.delete()
    reversal = FundEntry.objects.get(reverses__isnull=False)
    with pytest.raises(funds.FundsError, match="不能再冲销"):
        funds.entry_reverse(entry=reversal, acting_user=secretary_user, reason="x")
    with pytest.raises(funds.FundsError, match="已经冲销"):
        funds.entry_reverse(entry=reversal.reverses, acting_user=secretary_user, reason="x")
    model_admin = admin.site._registry.get(FundEntry)
    if model_admin is not None:
        assert not model_admin.has_change_permission(None)
        assert not model_admin.has_delete_permission(None)


@pytest.mark.parametrize("amount", [D("0"), D("-5")])
def test_amount_must_be_positive(org_tree, secretary_user, amount):
    with pytest.raises(funds.FundsError, match="大于零"):
        funds.expense_record(
            organization=org_tree.branch_a,
            acting_user=secretary_user,
            date=_today(),
            amount=amount,
            category="other",
            payee="x",
        )


def test_other_secretary_cannot_enter(org_tree, other_secretary):
    with pytest.raises(funds.FundsError):
        funds.allocation_record(
            organization=org_tree.branch_a,
            acting_user=other_secretary,
            date=_today(),
            amount=D("1"),
            source="bureau",
        )


def test_budget_share(ledger, secretary_user):
    funds.budget_set(
        organization=ledger, acting_user=secretary_user, year=_today().year, amount=D("641.00")
    )
    assert funds.year_summary(ledger, _today().year).budget_share == pytest.approx(0.5)


def test_six_haves_funding_met_by_an_allocation_this_year(ledger, org_tree, staff_user):
    org = selectors.get_organization_for(staff_user, ledger.pk)
    assert {f: done for f, _l, done, _e in org.six_haves}["has_funding"] is True
    other = selectors.get_organization_for(staff_user, org_tree.branch_b.pk)
    assert {f: done for f, _l, done, _e in other.six_haves}["has_funding"] is False


def test_six_haves_not_met_when_the_only_allocation_is_reversed(org_tree, staff_user):
    entry = funds.allocation_record(
        organization=org_tree.branch_b,
        acting_user=staff_user,
        date=_today(),
        amount=D("10"),
        source="bureau",
    )
    funds.entry_reverse(entry=entry, acting_user=staff_user, reason="错拨")
    org = selectors.get_organization_for(staff_user, org_tree.branch_b.pk)
    assert org.six_haves_share == 0


# --- Permission table ----------------------------------------------------------------------

ROLES = ("anonymous", "staff", "viewer", "supervisor", "liaison", "secretary", "other_secretary")
FIXTURES = {
    "staff": "staff_user",
    "viewer": "viewer_user",
    "supervisor": "supervisor_user",
    "liaison": "liaison_user",
    "secretary": "secretary_user",
    "other_secretary": "other_secretary",
}
READ = {
    "staff": 200,
    "viewer": 200,
    "supervisor": 200,
    "liaison": 403,
    "secretary": 200,
    "other_secretary": 404,
}
WRITE = {
    "staff": 200,
    "viewer": 403,
    "supervisor": 403,
    "liaison": 403,
    "secretary": 200,
    "other_secretary": 404,
}
PAGES = {
    "funds": ("org", READ),
    "funds_allocation": ("org", WRITE),
    "funds_expense": ("org", WRITE),
    "funds_budget": ("org", WRITE),
    "funds_export": ("org", READ),
    "funds_reverse": ("entry", WRITE),
    "funds_receipt": ("receipt", READ),
    "funds_overview": (None, {**READ, "other_secretary": 200, "liaison": 403}),
    "funds_overview_export": (None, {**READ, "other_secretary": 200, "liaison": 403}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_permission_table(client, ledger, role, page, request):
    kind, expected = PAGES[page]
    receipt = FundEntry.objects.exclude(receipt="").get()
    args = {
        "org": [ledger.pk],
        "entry": [ledger.pk, receipt.pk],
        "receipt": [ledger.pk, receipt.pk],
        None: [],
    }[kind]
    url = reverse(f"branches:{page}", args=args)
    if role == "anonymous":
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.url
        return
    client.force_login(request.getfixturevalue(FIXTURES[role]))
    assert client.get(url).status_code == expected[role]


def test_receipt_served_through_the_view(client, ledger, secretary_user):
    entry = FundEntry.objects.exclude(receipt="").get()
    assert entry.receipt.name.endswith(".pdf") and "票据" not in entry.receipt.name
    client.force_login(secretary_user)
    response = client.get(reverse("branches:funds_receipt", args=[ledger.pk, entry.pk]))
    assert b"".join(response.streaming_content) == PDF


def test_expense_form_posts(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    url = reverse("branches:funds_expense", args=[org_tree.branch_a.pk])
    response = client.post(
        url,
        {"date": _today().isoformat(), "amount": "12.30", "category": "care", "payee": "慰问品店"},
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "date": _today().isoformat(),
            "amount": "12.30",
            "category": "care",
            "payee": "x",
            "receipt": SimpleUploadedFile("a.pdf", b"not a pdf"),
        },
    )
    assert response.status_code == 200 and "不能上传" in response.content.decode()
    assert FundEntry.objects.count() == 1


# --- N+1 guards ----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _entries(org, n):
    for i in range(n):
        funds.expense_record(
            organization=org,
            acting_user=system_actor(),
            date=_today(),
            amount=D("1.00") + i,
            category="other",
            payee=f"p{i}",
        )


def test_ledger_queries_do_not_grow(client, ledger, staff_user):
    client.force_login(staff_user)
    url = reverse("branches:funds", args=[ledger.pk])
    few = _count(client, url)
    _entries(ledger, 10)
    assert _count(client, url) == few


def test_overview_queries_do_not_grow(client, org_tree, ledger, staff_user):
    client.force_login(staff_user)
    url = reverse("branches:funds_overview")
    few = _count(client, url)
    for org in (org_tree.branch_b, org_tree.joint, org_tree.group_a1):
        _entries(org, 2)
    assert _count(client, url) == few


# --- The export in LibreOffice -------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed here")
def test_fund_ledger_export_opens_in_libreoffice(client, ledger, staff_user, tmp_path):
    client.force_login(staff_user)
    response = client.get(reverse("branches:funds_export", args=[ledger.pk]))
    assert response.status_code == 200
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    csv = (tmp_path / "ledger.csv").read_text(encoding="utf-8", errors="replace")
    assert "红色教育基地" in csv and "-320.5" in csv
