"""The second factor (issue #18, build 4): TOTP required for bureau staff and superusers,
optional for others, recovery codes shown once, the demo accounts of a DEBUG machine exempt.

The suite's conftest turns OTP_REQUIRED off (tests sign in with force_login); these tests turn
it on, as production always has it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import auth_otp
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.OTP_REQUIRED = True
    settings.DEMO_OTP_EXEMPT = False


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _wait_out_the_throttle(device: TOTPDevice) -> None:
    """After a wrong code django-otp refuses the next for 2^(n-1) seconds: time moved on."""
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    device.throttle_reset()


def _password_login(client, username):
    return client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    codes = auth_otp.totp_confirm(user=user, device=device)
    return device, codes


def test_staff_without_a_device_is_sent_to_enrolment_and_nowhere_else(client, staff_user):
    _password_login(client, "staff")
    for url in ["/", "/members/", reverse("members:export")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("otp_enrol")), url
    page = client.get(reverse("otp_enrol")).content.decode()
    assert "开启两步验证" in page and "data:image/svg+xml" in page
    assert re.search(r'class="fs-4 otp-key">[A-Z2-7 ]{20,}<', page)


def test_enrolment_confirms_with_a_code_and_shows_ten_recovery_codes_once(client, staff_user):
    _password_login(client, "staff")
    client.get(reverse("otp_enrol"))
    device = TOTPDevice.objects.get(user=staff_user)
    wrong = client.post(
        reverse("otp_enrol"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()
    _wait_out_the_throttle(device)
    response = client.post(reverse("otp_enrol"), {"token": _code(device), "next": "/members/"})
    text = response.content.decode()
    assert "只显示这一次" in text
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", text)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    device.refresh_from_db()
    assert device.confirmed
    assert response["Cache-Control"].count("no-store") == 1
    assert client.get("/").status_code == 200  # verified in this session


def test_after_the_password_an_enrolled_user_must_give_the_code(client, staff_user):
    device, _codes = _enrolled(staff_user)
    response = _password_login(client, "staff")
    follow = client.get(response["Location"])
    assert follow["Location"].startswith(reverse("otp_verify"))
    assert client.get("/members/")["Location"].startswith(reverse("otp_verify"))
    assert client.get(reverse("otp_manage"))["Location"].startswith(reverse("otp_verify"))
    refused = client.post(reverse("otp_verify"), {"token": "12345"})
    assert "验证码不正确" in refused.content.decode()
    _wait_out_the_throttle(device)
    ok = client.post(reverse("otp_verify"), {"token": _code(device), "next": "/members/"})
    assert ok["Location"] == "/members/"
    assert client.get("/members/").status_code == 200


def test_a_recovery_code_works_once(client, staff_user):
    _device, codes = _enrolled(staff_user)
    _password_login(client, "staff")
    assert client.post(reverse("otp_verify"), {"token": codes[0]})["Location"] == "/"
    client.post(reverse("logout"))
    _password_login(client, "staff")
    again = client.post(reverse("otp_verify"), {"token": codes[0]})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()


def test_superusers_must_enrol_too(client, make_user):
    make_user("root", role="viewer", is_superuser=True, is_staff=True)
    _password_login(client, "root")
    assert client.get("/")["Location"].startswith(reverse("otp_enrol"))


def test_others_need_no_second_factor_but_may_turn_it_on(client, secretary_user):
    _password_login(client, "secretary")
    assert client.get("/").status_code == 200
    profile = client.get(reverse("profile")).content.decode()
    assert reverse("otp_manage") in profile and "两步验证" in profile
    client.get(reverse("otp_enrol"))
    device = TOTPDevice.objects.get(user=secretary_user)
    client.post(reverse("otp_enrol"), {"token": _code(device)})
    client.post(reverse("logout"))
    _password_login(client, "secretary")
    assert client.get("/")["Location"].startswith(reverse("otp_verify"))
    client.post(reverse("otp_verify"), {"token": _code(device, steps_ahead=1)})
    # …and may turn it off again with a fresh code (staff may not).
    response = client.post(
        reverse("otp_manage"), {"token": _code(device, steps_ahead=2), "action": "off"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=secretary_user).exists()


def test_staff_cannot_turn_it_off(client, staff_user):
    device, _codes = _enrolled(staff_user)
    _password_login(client, "staff")
    client.post(reverse("otp_verify"), {"token": _code(device)})
    client.post(reverse("otp_manage"), {"token": _code(device, steps_ahead=1), "action": "off"})
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()


def test_the_demo_accounts_are_exempt_only_where_the_setting_says(client, make_user, settings):
    make_user("bureau", role="staff")
    settings.DEMO_OTP_EXEMPT = True
    _password_login(client, "bureau")
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    settings.DEMO_OTP_EXEMPT = False
    _password_login(client, "bureau")
    assert client.get("/")["Location"].startswith(reverse("otp_enrol"))


def test_the_exemption_is_off_without_debug():
    """DEMO_OTP_EXEMPT is computed from DEBUG in settings: a production start (DEBUG off)
    cannot have it, whatever the environment says."""
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.DEMO_OTP_EXEMPT)"
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "DEMO_OTP_EXEMPT": "true",
        "ALLIANCE_IGNORE_DOTENV": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]),
    )
    assert out.stdout.strip() == "False"


def test_an_enrolled_user_confirms_the_code_too_before_an_unmasked_export(
    client, staff_user, settings
):
    settings.REAUTH_BEFORE_UNMASKED_EXPORT = True
    device, _codes = _enrolled(staff_user)
    _password_login(client, "staff")
    client.post(reverse("otp_verify"), {"token": _code(device)})
    session = client.session
    session[auth_otp.REAUTH_KEY] = auth_otp.now_seconds() - 3600
    session.save()
    url = reverse("members:export") + "?unmasked=1"
    reauth = client.get(url)["Location"]
    page = client.get(reauth).content.decode()
    assert 'name="token"' in page
    refused = client.post(reauth, {"password": TEST_PASSWORD, "token": "000000", "next": url})
    assert refused.status_code == 200
    _wait_out_the_throttle(device)
    ok = client.post(
        reauth, {"password": TEST_PASSWORD, "token": _code(device, steps_ahead=1), "next": url}
    )
    assert ok["Location"] == url


def test_an_enrolled_session_cannot_swap_the_authenticator_without_a_current_code(
    client, staff_user
):
    """Enrolment would replace the authenticator and its recovery codes: once enrolled (and
    verified), it leads to the manage page, which asks for a current code first."""
    device, codes = _enrolled(staff_user)
    _password_login(client, "staff")
    assert client.post(reverse("otp_verify"), {"token": _code(device)}).status_code == 302
    response = client.get(reverse("otp_enrol"))
    assert response.status_code == 302 and response["Location"] == reverse("otp_manage")
    client.post(reverse("otp_enrol"), {"token": "123456"})
    assert list(TOTPDevice.objects.filter(user=staff_user)) == [device]
    assert StaticToken.objects.filter(token__in=codes).count() == len(codes)


def test_a_session_whose_devices_were_reset_is_not_kept_on_the_code_page(client, secretary_user):
    """An administrator removed the devices while the session remembered "enrolled": the code
    page reads it again instead of asking for a code no app can give."""
    device, _codes = _enrolled(secretary_user)
    _password_login(client, "secretary")
    assert client.get("/")["Location"].startswith(reverse("otp_verify"))
    auth_otp.second_factor_remove(user=secretary_user)
    response = client.get(reverse("otp_verify") + "?next=/members/")
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert client.get("/members/").status_code == 200
