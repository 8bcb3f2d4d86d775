"""Who must give a second factor, the session facts the login guards keep, and the writes of
enrolment (django-otp: one TOTP device, recovery codes as one static device).

Session keys:
- LAST_ACTIVITY_KEY: when the user's last request came (the idle timeout);
- REAUTH_KEY: when the user last typed their password (and code): an unmasked export asks
  again after REAUTH_MINUTES;
- ENROLLED_KEY: whether the user has a confirmed device (read once at login, so a page does
  not cost a query to find out).
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.demo import DEMO_ACCOUNTS
from core.models import Role, User
from core.profile import register_profile_section

LAST_ACTIVITY_KEY = "portal_last_activity"
REAUTH_KEY = "portal_reauth_at"
ENROLLED_KEY = "portal_otp_enrolled"
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"


def now_seconds() -> int:
    return int(timezone.now().timestamp())


def is_demo_exempt(user: User) -> bool:
    """The demo accounts of a DEBUG machine (seed_demo) sign in with the password alone."""
    return bool(settings.DEMO_OTP_EXEMPT) and user.username in {
        username for username, _role, _name in DEMO_ACCOUNTS
    }


def second_factor_required(user: User) -> bool:
    """Bureau staff and superusers must enrol a second factor."""
    return (user.role == Role.STAFF or user.is_superuser) and not is_demo_exempt(user)


def is_enrolled(request: HttpRequest) -> bool:
    enrolled = request.session.get(ENROLLED_KEY)
    if enrolled is None:
        enrolled = user_has_device(request.user, confirmed=True)
        request.session[ENROLLED_KEY] = enrolled
    return bool(enrolled)


def second_factor_redirect(request: HttpRequest) -> str | None:
    """Where an unverified signed-in user must go first, or None when nowhere."""
    if is_enrolled(request):
        return reverse("otp_verify")
    if second_factor_required(request.user):
        return reverse("otp_enrol")
    return None


def note_password_given(request: HttpRequest) -> None:
    request.session[REAUTH_KEY] = now_seconds()


def recently_reauthenticated(request: HttpRequest) -> bool:
    if not settings.REAUTH_BEFORE_UNMASKED_EXPORT:
        return True
    given = request.session.get(REAUTH_KEY)
    return isinstance(given, int) and now_seconds() - given <= settings.REAUTH_MINUTES * 60


@receiver(user_logged_in, dispatch_uid="core.auth_otp.on_login")
def _on_login(sender, request, user, **kwargs) -> None:
    """A new session starts active; it knows whether the user has a device; and when the
    password was typed (the login form, not force_login), the time of that."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[LAST_ACTIVITY_KEY] = now_seconds()
    request.session[ENROLLED_KEY] = user_has_device(user, confirmed=True)
    if request.method == "POST" and request.POST.get("password"):
        note_password_given(request)


# --- Enrolment -----------------------------------------------------------------------------


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator (made once, so the QR code stays the same when the
    page is reloaded)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator (its code was checked) and give new recovery codes; the
    user's other authenticators and old codes are removed. Returns the codes (shown once)."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.full_clean()
    device.save()
    return recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_remove(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _profile_section(request: HttpRequest) -> dict:
    return {"enrolled": is_enrolled(request), "required": second_factor_required(request.user)}


register_profile_section(
    order=5, template="registration/_two_step_section.html", context=_profile_section
)
