"""Documents (制度与通知): addressing by subtree, 已阅 and the read list, 回执, search, files
checked by content and served through a permission-checked view, the permission table and
the N+1 guard of the list."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance import selectors
from alliance.models import Document
from alliance.reminders import document_replies_due
from alliance.services import (
    DocumentError,
    document_attachment_add,
    document_mark_read,
    document_publish,
    document_reply,
)
from core.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _publish(staff, **fields) -> Document:
    defaults = {
        "title": "关于加强离退休干部职工党支部（党员）工作的通知",
        "number": "银老干发〔2020〕8号",
        "issuer": "中共银川市委老干部局",
        "issued_on": datetime.date(2020, 5, 1),
        "category": "notice",
        "body": "请各党支部组织学习。",
    }
    defaults.update(fields)
    return document_publish(acting_user=staff, **defaults)


@pytest.fixture
def world(
    org_tree, staff_user, secretary_user, other_secretary, django_capture_on_commit_callbacks
):
    """A document addressed to the joint committee's subtree (branch A is in it, B is not)."""
    group_secretary = make_user("group_sec", role="secretary", organization=org_tree.group_a1)
    with django_capture_on_commit_callbacks(execute=True):
        document = _publish(
            staff_user, to_all=False, recipients=[org_tree.joint], reply_required=True
        )
    return document, group_secretary


def test_subtree_document_is_seen_there_and_404_elsewhere(
    client, world, secretary_user, other_secretary
):
    document, group_secretary = world
    url = reverse("alliance:document_detail", args=[document.pk])
    for user in (secretary_user, group_secretary):
        client.force_login(user)
        assert client.get(url).status_code == 200
        assert document.title in client.get(reverse("alliance:document_list")).content.decode()
    client.force_login(other_secretary)
    assert client.get(url).status_code == 404
    assert document.title not in client.get(reverse("alliance:document_list")).content.decode()


def test_publishing_notifies_the_addressed_secretaries_only(world, secretary_user, other_secretary):
    document, group_secretary = world
    notified = set(
        Notification.objects.filter(key=f"document-published:{document.pk}").values_list(
            "user__username", flat=True
        )
    )
    assert notified == {secretary_user.username, group_secretary.username}


def test_read_list_is_right(client, world, staff_user, secretary_user, org_tree):
    document, group_secretary = world
    assert selectors.document_read_figures(document) == {"expected": 2, "read": 0, "replied": 0}
    document_mark_read(document=document, acting_user=secretary_user)
    document_mark_read(document=document, acting_user=secretary_user)  # twice: still one
    unread = list(selectors.document_readers(document, unread_only=True))
    assert [org.pk for org in unread] == [org_tree.group_a1.pk]
    assert selectors.document_read_figures(document) == {"expected": 2, "read": 1, "replied": 0}
    client.force_login(staff_user)
    html = client.get(
        reverse("alliance:document_readers", args=[document.pk]) + "?unread=1"
    ).content.decode()
    assert f">{org_tree.group_a1.name}</a>" in html
    assert f">{org_tree.branch_a.name}</a>" not in html  # read: not on the unread list


def test_reply_with_attachment_marks_read_and_is_only_once(world, secretary_user):
    document, _group = world
    upload = SimpleUploadedFile("回执.docx", _docx())
    reply = document_reply(
        document=document, acting_user=secretary_user, text="已学习", upload=upload
    )
    assert reply.extension == "docx" and reply.file.name.endswith(".docx")
    assert "回执" not in reply.file.name  # a portal-generated name
    assert document.reads.filter(organization=secretary_user.organization).exists()
    with pytest.raises(DocumentError, match="已经"):
        document_reply(document=document, acting_user=secretary_user, text="again")


def test_other_secretary_cannot_mark_read(world, other_secretary):
    document, _group = world
    with pytest.raises(DocumentError):
        document_mark_read(document=document, acting_user=other_secretary)


@pytest.mark.parametrize(
    "name, content, ok",
    [
        ("a.pdf", PDF, True),
        ("a.docx", _docx(), True),
        ("fake.pdf", b"MZ\x90\x00 not a pdf at all", False),
        ("fake.docx", b"PK\x03\x04" + b"\x00" * 40, False),
    ],
)
def test_attachments_are_checked_by_content(staff_user, org_tree, name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        document = _publish(staff_user, attachments=[upload])
        assert document.attachments.get().original_name == name
    else:
        with pytest.raises(DocumentError, match="不能|不是"):
            _publish(staff_user, attachments=[upload])
        assert not Document.objects.exists()  # nothing half-written


def test_attachment_is_downloaded_through_a_checked_view(
    client, world, staff_user, other_secretary, secretary_user
):
    document, _group = world
    attachment = document_attachment_add(
        document=document, upload=SimpleUploadedFile("x.pdf", PDF), acting_user=staff_user
    )
    url = reverse("alliance:document_attachment", args=[attachment.pk])
    client.force_login(secretary_user)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(other_secretary)
    assert client.get(url).status_code == 404


def test_search_by_title_number_and_body(staff_user, org_tree):
    _publish(staff_user)
    _publish(
        staff_user,
        title="考核细则",
        number="",
        body="三缘型党支部考核",
        category="assessment_rules",
    )

    def titles(q):
        return [d.title for d in selectors.document_list_for(staff_user, search=q)]

    assert titles("〔2020〕8号") == ["关于加强离退休干部职工党支部（党员）工作的通知"]
    assert titles("三缘型") == ["考核细则"]
    assert titles("考核细则") == ["考核细则"]


def test_reply_reminder_goes_to_who_has_not_replied(world, secretary_user):
    document, group_secretary = world
    Document.objects.filter(pk=document.pk).update(reply_by=datetime.date.today())
    document_reply(document=document, acting_user=secretary_user, text="已学习")
    reminders = document_replies_due(datetime.date.today())
    assert [[u.username for u in r.recipients] for r in reminders] == [[group_secretary.username]]


# --- Permission table --------------------------------------------------------------------

ROLES = ("anonymous", "staff", "viewer", "supervisor", "liaison", "secretary", "other_secretary")


def _user(role, request):
    if role == "anonymous":
        return None
    fixture = {
        "staff": "staff_user",
        "viewer": "viewer_user",
        "supervisor": "supervisor_user",
        "liaison": "liaison_user",
        "secretary": "secretary_user",
        "other_secretary": "other_secretary",
    }[role]
    return request.getfixturevalue(fixture)


PAGES = {
    "document_list": (
        False,
        {
            "staff": 200,
            "viewer": 200,
            "supervisor": 200,
            "liaison": 200,
            "secretary": 200,
            "other_secretary": 200,
        },
    ),
    "document_create": (
        False,
        {
            "staff": 200,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 403,
            "secretary": 403,
            "other_secretary": 403,
        },
    ),
    "document_detail": (
        True,
        {
            "staff": 200,
            "viewer": 200,
            "supervisor": 200,
            "liaison": 404,
            "secretary": 200,
            "other_secretary": 404,
        },
    ),
    "document_readers": (
        True,
        {
            "staff": 200,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 404,
            "secretary": 403,
            "other_secretary": 404,
        },
    ),
    "document_reply": (
        True,
        {
            "staff": 403,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 404,
            "secretary": 200,
            "other_secretary": 404,
        },
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_permission_table(client, world, role, page, request):
    document, _group = world
    with_object, expected = PAGES[page]
    url = reverse(f"alliance:{page}", args=[document.pk] if with_object else [])
    user = _user(role, request)
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    if user is None:
        assert response.status_code == 302 and "/login" in response.url
    else:
        assert response.status_code == expected[role]


def test_mark_read_post_permissions(client, world, secretary_user, other_secretary, staff_user):
    document, _group = world
    url = reverse("alliance:document_read", args=[document.pk])
    client.force_login(other_secretary)
    assert client.post(url).status_code == 404
    client.force_login(staff_user)
    assert client.post(url).status_code == 403
    client.force_login(secretary_user)
    assert client.post(url).status_code == 302
    assert document.reads.count() == 1


def test_document_list_queries_do_not_grow(client, staff_user, secretary_user, org_tree):
    def count():
        client.force_login(secretary_user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("alliance:document_list")).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        _publish(staff_user, title=f"通知{n}", attachments=[SimpleUploadedFile("a.pdf", PDF)])
    few = count()
    for n in range(3, 12):
        _publish(staff_user, title=f"通知{n}", to_all=False, recipients=[org_tree.branch_a])
    assert count() == few
