"""The login guards' pages: the second factor (verify, enrol, recovery codes, manage),
confirming the password before an unmasked export, and the idle timeout's keep-alive."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from core import auth_otp
from core.auth_otp import LAST_ACTIVITY_KEY

TOKEN_WIDGET_ATTRS = {
    "class": "form-control form-control-lg",
    "autocomplete": "one-time-code",
    "autocapitalize": "none",
    "spellcheck": "false",
}


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=16,
        widget=forms.TextInput(attrs=TOKEN_WIDGET_ATTRS),
        help_text=gettext_lazy(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "current-password"}
        ),
    )


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    # Only a path of this site: "abc" or "0" would be taken for a URL name by redirect() (500).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return default
    return target


def _throttled(user) -> bool:
    """django-otp refuses every code for 2^(n-1) seconds after the n-th wrong one."""
    return any(
        not device.verify_is_allowed()[0] for device in devices_for_user(user, confirmed=None)
    )


def _verify_token(request: HttpRequest, form: forms.Form) -> bool:
    device = match_token(request.user, form.cleaned_data["token"])
    if device is None:
        if _throttled(request.user):
            form.add_error(
                "token",
                _(
                    "This code is not right or was already used, and several wrong codes came "
                    "in a row: wait a little, then type the newest code."
                ),
            )
            return False
        form.add_error(
            "token",
            _("This code is not right (or was already used). Check the time on your phone."),
        )
        return False
    otp_login(request, device)
    return True


class SecondFactorVerifyView(View):
    """两步验证: after the password, the code from the authenticator (or a recovery code)."""

    template_name = "registration/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_verified():
            # The session's "enrolled" flag is read again: should the devices have been
            # removed meanwhile (an administrator's reset), no code could ever match here.
            request.session.pop(auth_otp.ENROLLED_KEY, None)
        if request.user.is_verified() or not auth_otp.is_enrolled(request):
            return redirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(TokenForm())

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid() and _verify_token(request, form):
            auth_otp.note_password_given(request)
            return redirect(_next_url(request))
        return self._render(form)

    def _render(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "next": _next_url(self.request, "")},
        )


class SecondFactorEnrolView(View):
    """开启两步验证: a QR code (and the key to type) for an authenticator app, then one code
    from it to confirm; the recovery codes are shown once on the answer."""

    template_name = "registration/otp_enrol.html"

    def dispatch(self, request, *args, **kwargs):
        if auth_otp.is_enrolled(request):
            # Enrolled already: a new authenticator would replace the current one (and its
            # recovery codes) without a code from it — that is a manage action, which asks
            # for a current code first; an unverified session gives its code first.
            if not request.user.is_verified():
                return redirect_with_next(reverse("otp_verify"), _next_url(request, ""))
            return redirect("otp_manage")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(TokenForm())

    def post(self, request):
        form = TokenForm(request.POST)
        device = auth_otp.pending_totp_device(user=request.user)
        if form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                codes = auth_otp.totp_confirm(user=request.user, device=device)
                otp_login(request, device)
                request.session[auth_otp.ENROLLED_KEY] = True
                auth_otp.note_password_given(request)
                return render(
                    request,
                    "registration/otp_recovery_codes.html",
                    {"codes": codes, "next": _next_url(request)},
                )
            form.add_error(
                "token",
                _("This code is not right. Check the time on your phone and try the new code."),
            )
        return self._render(form)

    def _render(self, form):
        device = auth_otp.pending_totp_device(user=self.request.user)
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "qr_data_uri": auth_otp.qr_data_uri(device),
                "manual_key": auth_otp.manual_key(device),
                "next": _next_url(self.request, ""),
                "required": auth_otp.second_factor_required(self.request.user),
            },
        )


class SecondFactorManageView(View):
    """两步验证 on 我的设置: on or off, new recovery codes (after a fresh code), off for those
    who need not use it."""

    template_name = "registration/otp_manage.html"

    def get(self, request):
        return self._render(TokenForm())

    def post(self, request):
        if not auth_otp.is_enrolled(request):
            return redirect("otp_enrol")
        form = TokenForm(request.POST)
        action = request.POST.get("action")
        if form.is_valid() and _verify_token(request, form):
            if action == "codes":
                codes = auth_otp.recovery_codes_renew(user=request.user)
                return render(
                    request,
                    "registration/otp_recovery_codes.html",
                    {"codes": codes, "next": reverse("otp_manage")},
                )
            if action == "off" and not auth_otp.second_factor_required(request.user):
                auth_otp.second_factor_remove(user=request.user)
                request.session[auth_otp.ENROLLED_KEY] = False
                messages.success(request, _("Two-step sign-in is off."))
                return redirect("otp_manage")
        return self._render(form)

    def _render(self, form):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "enrolled": auth_otp.is_enrolled(self.request),
                "required": auth_otp.second_factor_required(self.request.user),
            },
        )


def redirect_with_next(url: str, next_url: str) -> HttpResponse:
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return redirect(url)


class PasswordConfirmView(View):
    """确认密码: the password again (and the code, for a user with two-step sign-in) before
    an unmasked export; then back to the export."""

    template_name = "registration/reauth.html"

    def get(self, request):
        return self._render(PasswordConfirmForm(), TokenForm() if self._needs_token() else None)

    def post(self, request):
        form = PasswordConfirmForm(request.POST)
        token_form = TokenForm(request.POST) if self._needs_token() else None
        valid = form.is_valid() and (token_form is None or token_form.is_valid())
        if valid:
            user = authenticate(
                request,
                username=request.user.get_username(),
                password=form.cleaned_data["password"],
            )
            if user is None or user.pk != request.user.pk:
                form.add_error("password", _("This password is not right."))
            elif token_form is None or _verify_token(request, token_form):
                auth_otp.note_password_given(request)
                return redirect(_next_url(request))
        return self._render(form, token_form)

    def _needs_token(self) -> bool:
        return auth_otp.is_enrolled(self.request)

    def _render(self, form, token_form):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "token_form": token_form,
                "next": _next_url(self.request),
                "minutes": settings.REAUTH_MINUTES,
            },
        )


@never_cache
@require_http_methods(["GET", "POST"])
def keep_alive(request: HttpRequest) -> JsonResponse:
    """The idle notice's 继续使用 (POST: counts as activity) and its look at how long is left
    (GET with Accept: application/json: does not)."""
    now = auth_otp.now_seconds()
    if request.method == "POST":
        request.session[LAST_ACTIVITY_KEY] = now
    last = request.session.get(LAST_ACTIVITY_KEY, now)
    remaining = max(0, settings.IDLE_TIMEOUT_MINUTES * 60 - (now - int(last)))
    return JsonResponse({"remaining": remaining})
