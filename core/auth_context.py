"""Template context for the login guards: the idle timeout's figures for static/js/idle.js."""

from django.conf import settings
from django.http import HttpRequest


def security(request: HttpRequest) -> dict:
    return {
        "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60,
        "idle_warning_seconds": settings.IDLE_WARNING_SECONDS,
    }
