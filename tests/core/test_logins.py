"""Login guards (issue #18, build 4): the client address behind the proxy and the lock on an
address for sprayed attempts, the password validator, the idle timeout and the password
asked again before an unmasked export."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from core.auth_otp import LAST_ACTIVITY_KEY, REAUTH_KEY, now_seconds
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def _login(client, username, password, *, forwarded=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


# --- The client's address ------------------------------------------------------------------


def test_behind_the_configured_proxy_one_attacker_does_not_lock_the_user_for_others(
    client, staff_user, settings
):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # Whatever the attacker writes into the header stays to the left of what nginx appends.
        _login(client, "staff", "wrong", forwarded="1.1.1.1, 198.51.100.7")
    assert _login(client, "staff", TEST_PASSWORD, forwarded="198.51.100.7").status_code == 429
    response = _login(client, "staff", TEST_PASSWORD, forwarded="192.0.2.44")
    assert response.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_without_a_proxy_count_the_header_is_ignored(client, staff_user, settings):
    """The default: X-Forwarded-For cannot be chosen by a client to dodge the lock."""
    settings.AXES_IPWARE_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "staff", "wrong", forwarded=f"203.0.113.{attempt}")
    assert _login(client, "staff", TEST_PASSWORD, forwarded="192.0.2.44").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_a_request_that_bypassed_the_trusted_proxy_keeps_its_own_address(
    client, staff_user, settings
):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_PROXY_TRUSTED_IPS = ["10.0.0."]
    _login(client, "staff", "wrong", forwarded="192.0.2.1", remote="198.51.100.99")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.99"}


def test_sprayed_attempts_over_many_user_names_lock_the_address(client, staff_user, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    limit = settings.AXES_IP_FAILURE_LIMIT
    assert limit == 20
    statuses = [
        _login(client, f"guess{n}", "123456", forwarded="198.51.100.7").status_code
        for n in range(limit - 1)
    ]
    assert 429 not in statuses  # below the address's limit, each name is free
    _login(client, f"guess{limit}", "123456", forwarded="198.51.100.7")  # the 20th
    # The 21st attempt from that address is refused even with a right password…
    assert _login(client, "staff", TEST_PASSWORD, forwarded="198.51.100.7").status_code == 429
    # …and another address is not affected.
    assert _login(client, "staff", TEST_PASSWORD, forwarded="192.0.2.44").status_code == 302


def test_five_failures_of_one_name_still_lock_name_and_address(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "staff", "wrong")
    assert _login(client, "staff", TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "staff", "wrong")
    assert _login(client, "staff", TEST_PASSWORD).status_code == 429


# --- Passwords -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["alliance-demo", "888888", "66666666", "qwerty", "Password", "yinchuan2024", "Yinchuan@123"],
)
def test_the_password_change_page_refuses_the_demo_and_common_passwords(
    client, secretary_user, settings, password
):
    settings.DEMO_PASSWORD = "alliance-demo"
    client.force_login(secretary_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "演示密码" in text or "过于常见" in text or "太常见" in text
    secretary_user.refresh_from_db()
    assert secretary_user.check_password(TEST_PASSWORD)


def test_the_demo_password_is_named_as_such(client, secretary_user, settings):
    settings.DEMO_PASSWORD = "alliance-demo"
    client.force_login(secretary_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "alliance-demo",
            "new_password2": "alliance-demo",
        },
    )
    assert "这是公开的演示密码" in response.content.decode()


def test_a_good_password_is_accepted(client, secretary_user):
    client.force_login(secretary_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Helan-shan 贺兰 1958!",
            "new_password2": "Helan-shan 贺兰 1958!",
        },
    )
    assert response.status_code == 302
    secretary_user.refresh_from_db()
    assert secretary_user.check_password("Helan-shan 贺兰 1958!")


# --- Idle timeout --------------------------------------------------------------------------


def _move_last_activity(client, seconds_ago):
    session = client.session
    session[LAST_ACTIVITY_KEY] = now_seconds() - seconds_ago
    session.save()


def test_a_session_idle_past_the_limit_is_ended_and_the_login_page_says_why(
    client, secretary_user, settings
):
    settings.IDLE_TIMEOUT_MINUTES = 30
    client.force_login(secretary_user)
    assert client.get("/").status_code == 200
    _move_last_activity(client, 31 * 60)
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "30 分钟" in page and "自动退出" in page


def test_activity_within_the_limit_keeps_the_session(client, secretary_user, settings):
    settings.IDLE_TIMEOUT_MINUTES = 30
    client.force_login(secretary_user)
    _move_last_activity(client, 29 * 60)
    assert client.get("/").status_code == 200
    # That request counted: the clock starts again from it.
    assert now_seconds() - client.session[LAST_ACTIVITY_KEY] < 5


def test_background_polls_do_not_count_as_activity(client, secretary_user):
    client.force_login(secretary_user)
    _move_last_activity(client, 20 * 60)
    response = client.get(reverse("keep_alive"), HTTP_ACCEPT="application/json")
    assert 9 * 60 <= response.json()["remaining"] <= 10 * 60
    assert now_seconds() - client.session[LAST_ACTIVITY_KEY] >= 20 * 60


def test_the_continue_button_extends_the_session(client, secretary_user, settings):
    client.force_login(secretary_user)
    _move_last_activity(client, 29 * 60)
    response = client.post(reverse("keep_alive"), HTTP_ACCEPT="application/json")
    assert response.json()["remaining"] >= settings.IDLE_TIMEOUT_MINUTES * 60 - 5
    _move_last_activity(client, 0)
    assert client.get("/").status_code == 200


def test_every_page_carries_the_idle_notice_script(client, secretary_user):
    client.force_login(secretary_user)
    text = client.get("/").content.decode()
    assert 'id="idle-timeout"' in text and "js/idle" in text and 'data-timeout="1800"' in text


# --- Password again before an unmasked export ----------------------------------------------


def test_an_unmasked_export_asks_for_the_password_again(client, staff_user, settings):
    settings.REAUTH_BEFORE_UNMASKED_EXPORT = True
    client.force_login(staff_user)
    url = reverse("members:export") + "?unmasked=1"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauth"))
    page = client.get(response["Location"])
    assert "确认密码" in page.content.decode()
    wrong = client.post(response["Location"], {"password": "wrong", "next": url})
    assert wrong.status_code == 200 and "密码不正确" in wrong.content.decode()
    right = client.post(response["Location"], {"password": TEST_PASSWORD, "next": url})
    assert right["Location"] == url
    assert client.get(url)["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_password_counts_for_ten_minutes(client, staff_user, settings):
    settings.REAUTH_BEFORE_UNMASKED_EXPORT = True
    client.post(reverse("login"), {"username": "staff", "password": TEST_PASSWORD})
    url = reverse("members:export") + "?unmasked=1"
    assert client.get(url).status_code == 200  # the password was typed at login
    session = client.session
    session[REAUTH_KEY] = now_seconds() - 11 * 60
    session.save()
    assert client.get(url)["Location"].startswith(reverse("reauth"))


def test_a_masked_export_asks_nothing(client, staff_user, settings):
    settings.REAUTH_BEFORE_UNMASKED_EXPORT = True
    client.force_login(staff_user)
    assert client.get(reverse("members:export")).status_code == 200
