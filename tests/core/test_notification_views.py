"""The inbox, its read actions, the unread badge on every page and the profile (我的设置)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Notification
from core.notifications import notify

pytestmark = pytest.mark.django_db

ROLES = ["staff_user", "secretary_user", "supervisor_user", "liaison_user", "viewer_user"]


@pytest.fixture
def stranger(make_user):
    return make_user("stranger", role="viewer")


@pytest.fixture
def strangers_notification(stranger):
    [notification] = notify(recipients=[stranger], kind="test", title="别人的通知", url="/")
    return notification


def unread_badge(html: str) -> int:
    match = re.search(r'class="[^"]*notification-bell[^"]*"[^>]*data-unread="(\d+)"', html)
    assert match, "no bell with data-unread on the page"
    return int(match.group(1))


# --- permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/notifications/"),
        ("get", "/notifications/?show=unread"),
        ("get", "/notifications/1/"),
        ("post", "/notifications/1/read/"),
        ("post", "/notifications/read-all/"),
        ("get", "/accounts/profile/"),
        ("post", "/accounts/profile/"),
    ],
)
def test_anonymous_is_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_own_inbox_only(client, request, role, strangers_notification):
    user = request.getfixturevalue(role)
    notify(recipients=[user], kind="test", title=f"给{user.username}的通知", url="/members/")
    client.force_login(user)
    response = client.get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"给{user.username}的通知" in html
    assert "别人的通知" not in html
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path"), [("post", "/notifications/{pk}/read/"), ("get", "/notifications/{pk}/")]
)
def test_another_users_notification_is_404(
    client, request, role, method, path, strangers_notification
):
    client.force_login(request.getfixturevalue(role))
    response = getattr(client, method)(path.format(pk=strangers_notification.pk))
    assert response.status_code == 404
    strangers_notification.refresh_from_db()
    assert strangers_notification.read_at is None


def test_read_actions_refuse_get_and_a_missing_pk_is_404(client, viewer_user):
    [notification] = notify(recipients=[viewer_user], kind="test", title="通知")
    client.force_login(viewer_user)
    assert client.get(f"/notifications/{notification.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.post("/notifications/999999/read/").status_code == 404


# --- what the pages show ------------------------------------------------------------------------


def test_unread_badge_on_every_page(client, secretary_user, stranger):
    client.force_login(secretary_user)
    assert unread_badge(client.get("/accounts/profile/").content.decode()) == 0
    notify(recipients=[secretary_user], kind="test", title="一")
    notify(recipients=[secretary_user], kind="test", title="二")
    notify(recipients=[stranger], kind="test", title="别人的")
    for url in ("/accounts/profile/", "/notifications/", "/members/"):
        html = client.get(url).content.decode()
        assert unread_badge(html) == 2, url
    client.post("/notifications/read-all/")
    assert unread_badge(client.get("/accounts/profile/").content.decode()) == 0


def test_the_unread_count_costs_one_query(client, viewer_user):
    notify(recipients=[viewer_user], kind="test", title="一")
    client.force_login(viewer_user)
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/profile/")
    counts = [q["sql"] for q in queries if 'FROM "core_notification"' in q["sql"]]
    assert len(counts) == 1
    assert "COUNT(" in counts[0]


def test_inbox_newest_first_unread_bold_and_filter(client, viewer_user):
    old = notify(recipients=[viewer_user], kind="test", title="较早的通知", url="/venues/")[0]
    new = notify(recipients=[viewer_user], kind="test", title="最新的通知")[0]
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    client.force_login(viewer_user)
    html = client.get("/notifications/").content.decode()
    assert html.index("最新的通知") < html.index("较早的通知")
    assert re.search(rf'data-notification="{new.pk}" data-read="false"', html)
    assert re.search(rf'data-notification="{old.pk}" data-read="true"', html)
    assert re.search(r'fw-bold">\s*<span[^>]*>未读</span>\s*最新的通知', html)
    assert '<a href="/venues/">较早的通知</a>' in html
    unread_only = client.get("/notifications/?show=unread").content.decode()
    assert "最新的通知" in unread_only
    assert "较早的通知" not in unread_only
    client.post("/notifications/read-all/")
    assert "没有未读通知。" in client.get("/notifications/?show=unread").content.decode()


def test_reading_goes_to_the_items_page(client, viewer_user):
    [notification] = notify(
        recipients=[viewer_user], kind="test", title="预约待审批", url="/venues/bookings/"
    )
    client.force_login(viewer_user)
    response = client.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/venues/bookings/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_reading_an_item_without_a_page_goes_back(client, viewer_user):
    [notification] = notify(recipients=[viewer_user], kind="test", title="无链接")
    client.force_login(viewer_user)
    response = client.post(
        f"/notifications/{notification.pk}/read/", {"next": "/notifications/?page=2"}
    )
    assert response["Location"] == "/notifications/?page=2"
    response = client.post(
        f"/notifications/{notification.pk}/read/", {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/notifications/"


def test_the_short_link_marks_read_and_opens_the_page(client, viewer_user):
    [notification] = notify(
        recipients=[viewer_user], kind="test", title="认领待回复", url="/alliance/"
    )
    login = client.get(f"/notifications/{notification.pk}/")
    assert login["Location"] == f"/accounts/login/?next=/notifications/{notification.pk}/"
    client.force_login(viewer_user)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == "/alliance/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_touches_only_ones_own(client, viewer_user, stranger):
    for title in ("一", "二", "三"):
        notify(recipients=[viewer_user, stranger], kind="test", title=title)
    client.force_login(viewer_user)
    response = client.post("/notifications/read-all/", follow=True)
    assert "全部通知已标为已读。" in response.content.decode()
    assert not Notification.objects.filter(user=viewer_user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=stranger, read_at__isnull=True).count() == 3


def test_inbox_queries_do_not_grow_with_items(client, viewer_user):
    client.force_login(viewer_user)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        return len(queries)

    for i in range(5):
        notify(recipients=[viewer_user], kind="test", title=f"通知{i}", url="/members/")
    few = count_queries()
    for i in range(25):
        notify(recipients=[viewer_user], kind="test", title=f"更多{i}", url="/members/")
    many = count_queries()
    assert few == many


# --- profile ------------------------------------------------------------------------------------


def profile_data(**changes):
    return {
        "email": "li@example.org",
        "phone": "13912345678",
        "notify_by_email": "on",
        "notify_by_sms": "",
    } | changes


def test_profile_saves_and_normalises_full_width_digits(client, secretary_user):
    client.force_login(secretary_user)
    page = client.get("/accounts/profile/").content.decode()
    assert "我的设置" in page and "电话号码" in page
    response = client.post(
        "/accounts/profile/", profile_data(phone="１３９１２３４５６７８", notify_by_sms="on")
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    secretary_user.refresh_from_db()
    assert secretary_user.phone == "13912345678"
    assert secretary_user.email == "li@example.org"
    assert (secretary_user.notify_by_email, secretary_user.notify_by_sms) == (True, True)
    assert "设置已保存。" in client.get("/accounts/profile/").content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "", "notify_by_sms": "on"}, "要接收短信，请在“电话号码”一栏填写您的手机号码。"),
        ({"phone": "0951-1234567", "notify_by_sms": "on"}, "接收短信需要手机号码"),
        ({"phone": "123"}, "请输入有效的电话号码"),
        ({"email": "li@"}, "请输入有效的电子邮件地址。"),
    ],
)
def test_profile_refuses_bad_input(client, secretary_user, changes, message):
    client.force_login(secretary_user)
    response = client.post("/accounts/profile/", profile_data(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    secretary_user.refresh_from_db()
    assert secretary_user.notify_by_sms is False
    assert secretary_user.email == ""


def test_profile_starts_with_email_unticked_without_an_address(client, viewer_user):
    """Email copies are on by default; a user without an address must not be refused a form
    they did not touch."""
    client.force_login(viewer_user)
    form = client.get("/accounts/profile/").context["form"]
    assert form.initial["notify_by_email"] is False
    response = client.post(
        "/accounts/profile/",
        {"email": "", "phone": "", "notify_by_email": "", "notify_by_sms": ""},
    )
    assert response.status_code == 302
