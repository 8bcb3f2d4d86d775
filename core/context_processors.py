"""Template context every page has: the 大字 setting and the active section for the nav."""

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """What base.html needs on every page: the text size and the active section."""
    user = getattr(request, "user", None)
    large_text = bool(user and user.is_authenticated and user.large_text)
    match = getattr(request, "resolver_match", None)
    section = match.namespace if match and match.namespace else (match.url_name if match else "")
    return {"large_text": large_text, "nav_section": section}
