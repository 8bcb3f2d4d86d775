"""Hostile files: zip bombs refused before any parser opens them."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import ServiceError
from core.uploads import EXCEL, check_upload, check_zip_archive

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"></Types>'
)


def _bomb(*, shared_strings_bytes: int = 12 * 1024 * 1024) -> bytes:
    """An ".xlsx" whose sharedStrings.xml unpacks to megabytes of one repeated string but
    compresses to a few kilobytes. Its workbook part is not XML, so a parser that got to it
    would answer "damaged / not an Excel workbook", never the bomb's message."""
    unit = b"<si><t>aaaaaaaa</t></si>"
    payload = b"<sst>" + unit * (shared_strings_bytes // len(unit)) + b"</sst>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "this is not a workbook")
        archive.writestr("xl/sharedStrings.xml", payload)
    return buffer.getvalue()


def _many_parts(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "this is not a workbook")
        for number in range(count):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", "<x/>")
    return buffer.getvalue()


def test_the_bomb_is_small_on_the_wire():
    content = _bomb()
    assert len(content) < 200 * 1024  # under every upload limit: only its ratio gives it away


def test_check_zip_archive_refuses_a_high_ratio():
    with pytest.raises(ServiceError) as refused:
        check_zip_archive(io.BytesIO(_bomb()))
    assert "sharedStrings.xml" in str(refused.value)


def test_check_zip_archive_refuses_too_much_unpacked(settings):
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    settings.UPLOAD_ZIP_MAX_RATIO = 100_000
    with pytest.raises(ServiceError) as refused:
        check_zip_archive(io.BytesIO(_bomb(shared_strings_bytes=3 * 1024 * 1024)))
    assert "3 MB" in str(refused.value)


def test_check_zip_archive_refuses_too_many_parts():
    with pytest.raises(ServiceError) as refused:
        check_zip_archive(io.BytesIO(_many_parts(250)))
    assert "252" in str(refused.value)


def test_check_zip_archive_lets_a_real_workbook_and_a_non_zip_through(staff_user, org_tree):
    from members.imports import build_template

    check_zip_archive(io.BytesIO(build_template(staff_user)))
    check_zip_archive(io.BytesIO(b"not a zip"))


def test_check_upload_refuses_a_bomb():
    upload = SimpleUploadedFile("report.xlsx", _bomb())
    with pytest.raises(ServiceError):
        check_upload(upload, kinds={EXCEL})


def test_members_import_refuses_a_bomb_before_reading_it(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = client.post(
        reverse("members:import"),
        {"file": SimpleUploadedFile("roster.xlsx", _bomb())},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "文件被拒绝" in content and "sharedStrings.xml" in content
    assert "损坏" not in content  # the parser (which would call it damaged) was never reached
    assert "members_import" not in client.session


def test_members_import_refuses_too_many_parts(client, staff_user, org_tree):
    client.force_login(staff_user)
    response = client.post(
        reverse("members:import"),
        {"file": SimpleUploadedFile("roster.xlsx", _many_parts(250))},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    content = response.content.decode()
    assert "文件被拒绝" in content and "252" in content
    assert "损坏" not in content


def test_rubric_upload_refuses_a_bomb_before_reading_it(client, staff_user):
    from assessment.models import Rubric

    client.force_login(staff_user)
    response = client.post(
        reverse("assessment:rubric_upload"),
        {
            "year": 2027,
            "category": "established",
            "file": SimpleUploadedFile("rubric.xlsx", _bomb()),
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "文件被拒绝" in content and "sharedStrings.xml" in content
    assert "不是 Excel" not in content  # the parser was never reached
    assert not Rubric.objects.filter(year=2027).exists()


# --- Polyglots: stored and offered under the detected type ---------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "name, content, extension, offered",
    [
        ("x.html", PNG, "png", "x.png"),
        (".svg", PDF, "pdf", "file.pdf"),
        ("报告.svg", PDF, "pdf", "报告.pdf"),
        ("../../etc/passwd.pdf", PDF, "pdf", "passwd.pdf"),
        ("a\x00b.html", PNG, "png", "ab.png"),
    ],
)
def test_check_upload_names_a_polyglot_by_its_content(name, content, extension, offered):
    checked = check_upload(SimpleUploadedFile(name, content))
    assert (checked.extension, checked.original_name) == (extension, offered)


def test_activity_attachment_polyglot_is_stored_and_offered_as_png(
    client, org_tree, staff_user, media
):
    from activities import services
    from core.actors import system_actor
    from tests.activities.conftest import at

    when = at(2025, 3, 1)
    activity = services.activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="支委会",
        start=when,
        end=when + datetime.timedelta(hours=1),
        acting_user=system_actor(),
        status="held",
    )
    attachment = services.attachment_add(
        activity=activity, upload=SimpleUploadedFile("x.html", PNG), acting_user=system_actor()
    )
    stored = attachment.file.name
    assert stored.startswith(f"activities/{activity.pk}/") and stored.endswith(".png")
    assert "x" not in stored.rsplit("/", 1)[-1].removesuffix(".png").strip("0123456789abcdef")
    assert attachment.original_name == "x.png"
    client.force_login(staff_user)
    response = client.get(reverse("activities:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png"
    assert ".html" not in response["Content-Disposition"]
    assert "x.png" in response["Content-Disposition"]


def test_document_attachment_polyglot_is_stored_as_pdf(staff_user, org_tree, media):
    from alliance.services import document_publish

    document = document_publish(
        acting_user=staff_user,
        title="通知",
        issuer="中共银川市委老干部局",
        issued_on=datetime.date(2020, 5, 1),
        category="notice",
        attachments=[SimpleUploadedFile("图.svg", PDF)],
    )
    attachment = document.attachments.get()
    assert attachment.file.name.startswith(f"documents/{document.pk}/")
    assert attachment.file.name.endswith(".pdf")
    assert (attachment.original_name, attachment.content_type) == ("图.pdf", "application/pdf")


def test_fund_receipt_polyglot_is_stored_as_png(secretary_user, org_tree, media):
    from decimal import Decimal

    from branches import funds

    entry = funds.expense_record(
        organization=org_tree.branch_a,
        acting_user=secretary_user,
        date=datetime.date.today(),
        amount=Decimal("10.00"),
        category="activities",
        payee="新华书店",
        receipt=SimpleUploadedFile("receipt.html", PNG),
    )
    assert entry.receipt.name.endswith(".png") and "receipt" not in entry.receipt.name
    assert entry.receipt_name == "receipt.png"


# --- Missing files: 404 and a warning in the log ---------------------------------------------


def test_missing_files_answer_404_and_are_logged(
    client, org_tree, staff_user, secretary_user, media, caplog
):
    """Every file-serving view: the row is there, the file is gone from storage."""
    from decimal import Decimal

    from activities import services
    from alliance.services import document_publish
    from branches import funds
    from core.actors import system_actor
    from tests.activities.conftest import at

    when = at(2025, 3, 1)
    activity = services.activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="支委会",
        start=when,
        end=when + datetime.timedelta(hours=1),
        acting_user=system_actor(),
        status="held",
    )
    photo = services.attachment_add(
        activity=activity, upload=SimpleUploadedFile("合影.png", PNG), acting_user=system_actor()
    )
    document = document_publish(
        acting_user=staff_user,
        title="通知",
        issuer="中共银川市委老干部局",
        issued_on=datetime.date(2020, 5, 1),
        category="notice",
        attachments=[SimpleUploadedFile("通知.pdf", PDF)],
    )
    entry = funds.expense_record(
        organization=org_tree.branch_a,
        acting_user=secretary_user,
        date=datetime.date.today(),
        amount=Decimal("10.00"),
        category="activities",
        payee="新华书店",
        receipt=SimpleUploadedFile("票据.pdf", PDF),
    )
    urls = {
        reverse("activities:attachment", args=[photo.pk]): photo.file,
        reverse("alliance:document_attachment", args=[document.attachments.get().pk]): (
            document.attachments.get().file
        ),
        reverse("branches:funds_receipt", args=[org_tree.branch_a.pk, entry.pk]): entry.receipt,
    }
    for url, file in urls.items():
        client.force_login(staff_user)
        assert client.get(url).status_code == 200, url
        file.storage.delete(file.name)
        caplog.clear()
        with caplog.at_level("WARNING", logger="core.uploads"):
            response = client.get(url)
        assert response.status_code == 404, url
        assert any("missing from storage" in r.getMessage() for r in caplog.records), url


def test_missing_job_file_is_404_and_logged(client, staff_user, media, caplog):
    from django.core.files.base import ContentFile

    from core.models import Job

    job = Job.objects.create(user=staff_user, export="members", status=Job.Status.DONE)
    job.file.save("export.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    client.force_login(staff_user)
    url = reverse("jobs:download", args=[job.pk])
    assert client.get(url).status_code == 200
    job.file.storage.delete(job.file.name)
    with caplog.at_level("WARNING", logger="core.uploads"):
        response = client.get(url)
    assert response.status_code == 404
    assert any("missing from storage" in r.getMessage() for r in caplog.records)
