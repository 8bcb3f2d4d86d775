"""The portal's middleware: the language, the security headers, the idle timeout and the
second factor.

LanguageMiddleware — Chinese unless the user chose otherwise.

Django's LocaleMiddleware would follow the browser's Accept-Language; the portal's users expect
Chinese whatever their browser says, so only an explicit choice (the language cookie written by
Django's `set_language` view) switches to English.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from core import auth_otp
from core.auth_otp import LAST_ACTIVITY_KEY


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NulCharacterMiddleware:
    """A NUL character in the query string is refused with a 400 before any view reads it:
    PostgreSQL cannot hold one in a string, and no field of the portal takes one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            return HttpResponseBadRequest(
                _("The address holds a character that is not allowed (NUL)."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on every response to a
    signed-in user and on every file download (pages and files carrying personal data must
    not stay in a browser's or a proxy's cache). Static files are answered by WhiteNoise
    before this middleware and keep their long cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        download = "attachment" in response.headers.get("Content-Disposition", "")
        if signed_in or download:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
        return response


class IdleTimeoutMiddleware:
    """Ends a signed-in session after IDLE_TIMEOUT_MINUTES without a request.

    The time of the last request is kept in the session (written at most once a minute, so a
    page does not cost a session write per request). Background polls (`Accept:
    application/json` GETs, e.g. an export's progress) do not count as activity; the page's
    "continue" button (static/js/idle.js) posts to the keep-alive endpoint, which does."""

    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = auth_otp.now_seconds()
            last = request.session.get(LAST_ACTIVITY_KEY)
            limit = settings.IDLE_TIMEOUT_MINUTES * 60
            if isinstance(last, int | float) and now - last > limit:
                logout(request)
                messages.warning(
                    request,
                    _(
                        "You were signed out after %(minutes)s minutes without activity. "
                        "Please sign in again."
                    )
                    % {"minutes": settings.IDLE_TIMEOUT_MINUTES},
                )
                if request.headers.get("Accept", "").startswith("application/json"):
                    return JsonResponse({"signed_out": True}, status=401)
                return redirect_to_login(request.get_full_path())
            passive = request.method == "GET" and request.headers.get("Accept", "").startswith(
                "application/json"
            )
            if not passive and (
                not isinstance(last, int | float) or now - last >= self.WRITE_EVERY_SECONDS
            ):
                request.session[LAST_ACTIVITY_KEY] = int(now)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Sends a user who must use a second factor and has not yet given it this session to
    the verification page (or, without a device yet, to enrolment). Bureau staff and
    superusers must (settings.OTP_REQUIRED); anyone else who enrolled a device must too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.OTP_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not _second_factor_free_path(request.path_info)
        ):
            target = auth_otp.second_factor_redirect(request)
            if target:
                return redirect_to_login(request.get_full_path(), target)
        return self.get_response(request)


def _second_factor_free_path(path: str) -> bool:
    """The pages an unverified user may still reach: the second factor's own, logging out,
    the language switch, the idle notice's endpoint, static files and the health check."""
    exact = {
        reverse(name)
        for name in ("otp_verify", "otp_enrol", "logout", "set_language", "keep_alive", "healthz")
    }
    return path in exact or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
