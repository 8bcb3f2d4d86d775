"""Template context every page has: the 大字 setting, the active section for the nav and the
number of unread notifications (the bell in the utility bar)."""

from django.http import HttpRequest

from core.models import Notification


def portal(request: HttpRequest) -> dict:
    """What base.html needs on every page: the text size, the active section and the unread
    notifications (a callable the template calls once: see below)."""
    user = getattr(request, "user", None)
    large_text = bool(user and user.is_authenticated and user.large_text)
    match = getattr(request, "resolver_match", None)
    section = match.namespace if match and match.namespace else (match.url_name if match else "")
    return {
        "large_text": large_text,
        "nav_section": section,
        "unread_notifications": _unread_notifications(user),
    }


def _unread_notifications(user):
    """One COUNT query, and only when a template reads the number (a page without the
    utility bar — a redirect, a download — asks nothing)."""
    if not (user and user.is_authenticated):
        return 0
    cached: list[int] = []

    def count() -> int:
        if not cached:
            cached.append(Notification.objects.filter(user=user, read_at__isnull=True).count())
        return cached[0]

    return count
