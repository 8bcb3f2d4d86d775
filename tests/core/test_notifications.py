"""notify(): inbox rows, idempotency, and the copies by email (a real SMTP server in-process,
aiosmtpd) and text message (locmem, file, an HTTP gateway in-process)."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.selectors import secretaries_of
from core import sms
from core.actors import system_actor
from core.errors import ServiceError
from core.models import Delivery, Notification
from core.notifications import (
    mark_all_read,
    mark_read,
    notify,
    send_pending_deliveries,
    sms_text,
    unread_count,
)
from core.services import user_update_contact_preferences

pytestmark = pytest.mark.django_db

TITLE = "阅海万家地缘党支部本月支委会尚未召开"
URL = "/activities/compliance/"


# --- fixtures -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CollectingHandler:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and the portal's email settings pointing at it."""
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "党建联盟 <noreply@example.org>"
    settings.PORTAL_URL = "https://dangjian.example.org"
    yield handler
    controller.stop()


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    settings.PORTAL_URL = "https://dj.example.org"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.received.append(
            {
                "path": self.path,
                "authorization": self.headers["Authorization"],
                "content_type": self.headers["Content-Type"],
                "json": json.loads(self.rfile.read(length).decode("utf-8")),
            }
        )
        status = self.server.answer_status
        self.send_response(status)
        body = b'{"ok": true}' if status < 300 else b'{"error": "gateway down"}'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), GatewayHandler)
    server.received = []
    server.answer_status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "s3cret-token"
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def person(make_user):
    """A secretary who chose both channels."""
    return make_user(
        "wang",
        role="viewer",
        full_name="王建国",
        email="wang@example.org",
        phone="13912345678",
        notify_by_email=True,
        notify_by_sms=True,
    )


# --- inbox rows ---------------------------------------------------------------------------------


def test_notify_creates_one_row_per_active_recipient(make_user, person):
    other = make_user("li", role="viewer")
    retired = make_user("zhao", role="viewer", is_active=False)
    created = notify(
        recipients=[person, other, person, retired, system_actor()],
        kind="test",
        title=TITLE,
        body="请在本月底前召开。",
        url=URL,
    )
    assert sorted(n.user.username for n in created) == ["li", "wang"]
    assert Notification.objects.count() == 2
    row = Notification.objects.get(user=person)
    assert (row.kind, row.title, row.body, row.url, row.read_at) == (
        "test",
        TITLE,
        "请在本月底前召开。",
        URL,
        None,
    )
    assert not Notification.objects.filter(user__username__in=["zhao", "system"]).exists()


def test_notify_with_a_key_is_idempotent(person, make_user):
    first = notify(recipients=[person], kind="test", title=TITLE, key="meeting:1:2025-05")
    second = notify(recipients=[person], kind="test", title=TITLE, key="meeting:1:2025-05")
    assert len(first) == 1
    assert second == []
    assert Notification.objects.filter(user=person).count() == 1
    # a new recipient of the same key still gets theirs; the old one nothing new
    newcomer = make_user("new", role="viewer", email="new@example.org")
    third = notify(recipients=[person, newcomer], kind="test", title=TITLE, key="meeting:1:2025-05")
    assert [n.user for n in third] == [newcomer]
    assert Notification.objects.count() == 2
    # one delivery per created item and channel, none for the skipped ones
    assert Delivery.objects.filter(notification__user=person).count() == 2


def test_notify_without_key_repeats(person):
    notify(recipients=[person], kind="test", title=TITLE)
    notify(recipients=[person], kind="test", title=TITLE)
    assert Notification.objects.filter(user=person).count() == 2


def test_notify_with_nobody_to_reach_writes_nothing(make_user):
    retired = make_user("zhao", role="viewer", is_active=False)
    assert notify(recipients=[retired, system_actor()], kind="test", title=TITLE) == []
    assert notify(recipients=[], kind="test", title=TITLE) == []
    assert Notification.objects.count() == 0


def test_a_too_long_title_is_refused_before_anything_is_written(person):
    with pytest.raises(ValidationError):
        notify(recipients=[person], kind="test", title="长" * 201)
    assert Notification.objects.count() == 0


def test_channels_follow_the_users_choice(make_user, sms_outbox, mailoutbox):
    both = make_user("both", role="viewer", email="b@example.org", phone="13900000001")
    both.notify_by_sms = True
    both.save()
    email_only = make_user("email", role="viewer", email="e@example.org", phone="13900000002")
    no_address = make_user("none", role="viewer", notify_by_sms=True)  # no email, no phone
    opted_out = make_user("out", role="viewer", email="o@example.org", notify_by_email=False)
    notify(recipients=[both, email_only, no_address, opted_out], kind="test", title=TITLE)
    deliveries = sorted(
        Delivery.objects.values_list("notification__user__username", "channel", "address")
    )
    assert deliveries == [
        ("both", "email", "b@example.org"),
        ("both", "sms", "13900000001"),
        ("email", "email", "e@example.org"),
    ]
    assert Notification.objects.count() == 4  # everyone has the inbox item


# --- sending on commit ----------------------------------------------------------------------------


def test_email_arrives_at_a_real_smtp_server(
    smtp_server, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [notification] = notify(
            recipients=[person], kind="test", title=TITLE, body="请在本月底前召开。", url=URL
        )
        # nothing leaves before the commit
        assert smtp_server.envelopes == []
        assert Delivery.objects.get(channel="email").status == Delivery.Status.PENDING
    assert len(callbacks) == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["wang@example.org"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["To"] == "wang@example.org"
    # the encoded words of a folded header decode to the subject as a mail reader shows it
    raw_subject = email.message_from_bytes(envelope.original_content)["Subject"]
    assert str(make_header(decode_header(raw_subject))) == f"【党建联盟】{TITLE}"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "王建国，您好" in text
    assert "请在本月底前召开。" in text
    assert "https://dangjian.example.org/activities/compliance/" in text
    delivery = Delivery.objects.get(notification=notification, channel="email")
    assert delivery.status == Delivery.Status.SENT
    assert delivery.sent_at is not None
    assert delivery.error == ""


def test_nothing_is_sent_when_the_transaction_rolls_back(
    smtp_server, sms_outbox, person, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[person], kind="test", title=TITLE)
        raise RuntimeError("the caller's work failed")
    assert callbacks == []
    assert smtp_server.envelopes == []
    assert sms_outbox == []
    assert Notification.objects.count() == 0


def test_an_unreachable_smtp_server_fails_the_delivery_not_the_caller(
    settings, person, sms_outbox, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens there
    settings.EMAIL_TIMEOUT = 5
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(recipients=[person], kind="test", title=TITLE)
    email_copy = Delivery.objects.get(notification=notification, channel="email")
    assert email_copy.status == Delivery.Status.FAILED
    assert "ConnectionRefusedError" in email_copy.error
    assert "failed" in caplog.text and "wang@example.org" in caplog.text
    # the other channel still went out
    assert Delivery.objects.get(notification=notification, channel="sms").status == "sent"
    assert len(sms_outbox) == 1


def test_sms_through_the_locmem_backend(sms_outbox, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(
            recipients=[person], kind="test", title="新的场地预约待审批", url=URL
        )
    [message] = sms_outbox
    assert message.phone == "13912345678"
    assert message.text == (
        f"【党建联盟】新的场地预约待审批 https://dj.example.org/notifications/{notification.pk}/"
    )
    assert len(message.text) <= 70
    assert Delivery.objects.get(channel="sms").status == Delivery.Status.SENT


def test_a_long_title_is_shortened_to_fit_one_text_message(sms_outbox, person):
    [notification] = notify(recipients=[person], kind="test", title="很长的标题" * 20)
    text = sms_text(notification)
    assert len(text) == 70
    assert text.startswith("【党建联盟】很长的标题")
    assert "…" in text
    assert text.endswith(f"/notifications/{notification.pk}/")


def test_sms_through_the_file_backend(
    settings, tmp_path, person, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "core.sms.FileBackend"
    settings.SMS_FILE_DIR = tmp_path / "sms" / "out"  # created by the backend
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], kind="test", title="您有一条认领待回复")
    [file] = list((tmp_path / "sms" / "out").iterdir())
    assert file.name == f"{timezone.localdate():%Y-%m-%d}.jsonl"
    [line] = file.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["phone"] == "13912345678"
    assert record["text"].startswith("【党建联盟】您有一条认领待回复 http")
    assert record["time"].startswith(f"{timezone.localdate():%Y-%m-%d}T")


def test_sms_through_the_http_gateway(sms_gateway, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(recipients=[person], kind="test", title="转接申请待审核")
    [request] = sms_gateway.received
    assert request["path"] == "/send"
    assert request["authorization"] == "Bearer s3cret-token"
    assert request["content_type"].startswith("application/json")
    assert request["json"]["phone"] == "13912345678"
    assert request["json"]["text"] == sms_text(notification)
    assert set(request["json"]) == {"phone", "text"}
    assert Delivery.objects.get(channel="sms").status == Delivery.Status.SENT


def test_a_failing_gateway_is_recorded_and_never_raised(
    sms_gateway, person, django_capture_on_commit_callbacks, caplog, mailoutbox
):
    sms_gateway.answer_status = 500
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(recipients=[person], kind="test", title="转接申请待审核")
    assert len(sms_gateway.received) == 1
    delivery = Delivery.objects.get(notification=notification, channel="sms")
    assert delivery.status == Delivery.Status.FAILED
    assert "HTTP 500" in delivery.error
    assert "gateway down" in delivery.error
    assert delivery.sent_at is None
    assert "sms copy to 13912345678 failed" in caplog.text
    assert len(mailoutbox) == 1  # the email copy was not held up by the failed text message


def test_the_gateway_backend_raises_a_clear_error(sms_gateway):
    sms_gateway.answer_status = 503
    with pytest.raises(sms.SmsError, match="HTTP 503"):
        sms.get_sms_backend().send("13912345678", "测试")


def test_pending_copies_can_be_sent_later(person, mailoutbox, sms_outbox):
    # notify inside the test's transaction: the on-commit send never ran (a worker died)
    notify(recipients=[person], kind="test", title=TITLE)
    assert Delivery.objects.filter(status="pending").count() == 2
    assert send_pending_deliveries() == 2
    assert len(mailoutbox) == 1 and len(sms_outbox) == 1
    assert send_pending_deliveries() == 0  # sent ones are not sent again
    assert len(mailoutbox) == 1


# --- read state -----------------------------------------------------------------------------------


def test_mark_read_and_all_read(person, make_user):
    first, second, third = (
        notify(recipients=[person], kind="test", title=f"通知{i}")[0] for i in range(3)
    )
    other = make_user("li", role="viewer")
    [others] = notify(recipients=[other], kind="test", title="别人的")
    assert unread_count(person) == 3
    mark_read(user=person, notification=first)
    first.refresh_from_db()
    read_at = first.read_at
    assert read_at is not None
    mark_read(user=person, notification=first)  # the first reading time is kept
    first.refresh_from_db()
    assert first.read_at == read_at
    assert unread_count(person) == 2
    with pytest.raises(ServiceError):
        mark_read(user=person, notification=others)
    assert mark_all_read(user=person) == 2
    assert unread_count(person) == 0
    assert unread_count(other) == 1


# --- secretaries of an organization ---------------------------------------------------------------


def test_secretaries_of_the_nearest_organization_that_has_one(org_tree, make_user):
    # How a member without an account is reached: through the nearest secretary up the tree.
    sec_a = make_user("sec_a", role="secretary", organization=org_tree.branch_a)
    make_user("sec_a_old", role="secretary", organization=org_tree.branch_a, is_active=False)
    sec_joint = make_user("sec_joint", role="secretary", organization=org_tree.joint)
    make_user("viewer_a", role="viewer", organization=org_tree.branch_a)
    found = secretaries_of(
        [org_tree.branch_a, org_tree.group_a1, org_tree.joint, org_tree.branch_b]
    )
    assert found[org_tree.branch_a.pk] == [sec_a]
    assert found[org_tree.group_a1.pk] == [sec_a]  # the group has none
    assert found[org_tree.joint.pk] == [sec_joint]
    assert found[org_tree.branch_b.pk] == []  # nobody up the tree
    assert secretaries_of([]) == {}


def test_secretaries_of_costs_one_query(org_tree, make_user, django_assert_num_queries):
    make_user("sec_joint", role="secretary", organization=org_tree.joint)
    with django_assert_num_queries(1):
        found = secretaries_of([org_tree.group_a1, org_tree.branch_a])
    assert [u.username for u in found[org_tree.group_a1.pk]] == ["sec_joint"]


# --- contact preferences --------------------------------------------------------------------------


def test_contact_preferences_normalise_full_width_digits(person):
    user_update_contact_preferences(
        user=person,
        acting_user=person,
        email=" wang@example.org ",
        phone="＋８６ １３９ １２３４ ５６７８",
        notify_by_email=True,
        notify_by_sms=True,
    )
    person.refresh_from_db()
    assert (person.email, person.phone, person.notify_by_sms) == (
        "wang@example.org",
        "13912345678",
        True,
    )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"phone": "", "notify_by_sms": True}, "phone", "电话号码"),
        ({"phone": "0951-1234567", "notify_by_sms": True}, "phone", "手机号码"),
        ({"phone": "12345"}, "phone", "电话号码"),
        ({"email": "not-an-address"}, "email", "电子邮件"),
        ({"email": "", "notify_by_email": True}, "email", "电子邮件"),
    ],
)
def test_contact_preferences_refused(person, changes, field, words):
    values = {
        "email": "wang@example.org",
        "phone": "13912345678",
        "notify_by_email": True,
        "notify_by_sms": False,
    } | changes
    with pytest.raises(ServiceError) as refused:
        user_update_contact_preferences(user=person, acting_user=person, **values)
    assert refused.value.field == field
    assert words in refused.value.message
    person.refresh_from_db()
    assert person.notify_by_sms is True  # unchanged: nothing half-written


def test_nobody_changes_another_users_preferences(person, staff_user):
    with pytest.raises(ServiceError):
        user_update_contact_preferences(
            user=person,
            acting_user=staff_user,
            email="x@example.org",
            phone="",
            notify_by_email=True,
            notify_by_sms=False,
        )
