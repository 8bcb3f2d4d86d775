"""Views of the ground floor: the 大字 switch, the language switch and the 404 page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core import services


@require_POST
def toggle_large_text(request: HttpRequest) -> HttpResponse:
    """The 大字 switch, remembered on the user's record."""
    enabled = services.user_toggle_large_text(user=request.user)
    messages.success(request, _("Large text is on.") if enabled else _("Large text is off."))
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    return redirect(target)


set_language = login_not_required(django_set_language)


def section_placeholder(request: HttpRequest, title: str) -> HttpResponse:
    """A section whose pages are still to come (the walking skeleton's empty apps)."""
    return render(request, "core/placeholder.html", {"title": title})


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404 for signed-in users; anonymous visitors are sent to log in first (nothing leaks)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "404.html", status=404)
