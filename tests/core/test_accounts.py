"""Login, logout, roles and the pages every user has."""

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/branches/",
        "/members/",
        "/activities/",
        "/venues/",
        "/assessment/",
        "/reports/",
        "/accounts/password/",
        "/no-such-page/",
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_chinese_by_default_whatever_the_browser_says(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    text = response.content.decode()
    assert "登录" in text and "用户名" in text and 'lang="zh-CN"' in text


def test_wrong_password_shows_chinese_error_and_no_session(client, staff_user):
    response = client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_login_lands_on_home_in_chinese_and_logout_ends_the_session(client, secretary_user):
    response = client.post(
        reverse("login"), {"username": "secretary", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    text = response.content.decode()
    assert "首页" in text and "党支部书记" in text and secretary_user.organization.name in text
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "staff", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["staff", "secretary", "supervisor", "liaison", "viewer"])
def test_every_role_reaches_home_and_the_sections(client, make_user, org_tree, role):
    org = org_tree.branch_a if role == "secretary" else None
    user = make_user(f"user_{role}", role=role, organization=org)
    client.force_login(user)
    for url in [
        "/",
        "/branches/",
        "/members/",
        "/activities/",
        "/venues/",
        "/assessment/",
        "/reports/",
    ]:
        assert client.get(url).status_code == 200, url


def test_large_text_switch_is_remembered_per_user(client, viewer_user):
    client.force_login(viewer_user)
    assert 'class="large-text"' not in client.get("/").content.decode()
    response = client.post(reverse("toggle_large_text"), {"next": "/branches/"})
    assert response["Location"] == "/branches/"
    viewer_user.refresh_from_db()
    assert viewer_user.large_text is True
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post(reverse("toggle_large_text"), {"next": "https://evil.example/"})
    viewer_user.refresh_from_db()
    assert viewer_user.large_text is False


def test_english_can_be_chosen(client, viewer_user):
    client.force_login(viewer_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get("/").content.decode()
    assert "Log out" in text and "退出登录" not in text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get("/").content.decode()


def test_password_change(client, viewer_user):
    client.force_login(viewer_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Yinchuan-2026-new",
            "new_password2": "Yinchuan-2026-new",
        },
        follow=True,
    )
    assert "密码已修改" in response.content.decode()
    viewer_user.refresh_from_db()
    assert viewer_user.check_password("Yinchuan-2026-new")
