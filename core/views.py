"""Views of the ground floor — the 大字 switch, the language switch, the 404 page — and the one
view style every app follows (PortalPermissionMixin, add_service_error)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, View
from django.views.i18n import set_language as django_set_language
from rules.contrib.views import PermissionRequiredMixin

from core import services
from core.errors import ServiceError


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


# --- The one view style ------------------------------------------------------------------------
# Every page is a class view that declares its permission once (`permission_required`, a
# django-rules permission). A page about one object fetches it through a selector that takes
# the user — another organization's object is a 404 before any rule runs — and the rule is
# then asked about that object (403). Services raise `ServiceError` (or a model's
# ValidationError); `add_service_error` puts either on the form, `service_error_message` makes
# a message of it for a page without a form.


class PortalPermissionMixin(PermissionRequiredMixin):
    """`permission_required` on the page, or on `get_object()` when the page has one.

    A method the view does not serve is a 405 before anything else (as require_POST was):
    no object is looked up and no rule asked for it.
    """

    def dispatch(self, request, *args, **kwargs):
        # A method the view has no handler for (a POST to a read-only page or an export) is
        # refused here too, whoever asks: not after a lookup that could answer 403 or 404.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        """Return the page's object through a user-scoped selector (404 when not visible);
        pages about no object leave this as it is."""
        return None

    @cached_property
    def object(self):
        return self.get_object()

    def get_permission_object(self):
        return self.object

    def get_context_data(self, **kwargs):
        if self.object is not None:
            kwargs.setdefault("object", self.object)
        return super().get_context_data(**kwargs)


class ActionView(PortalPermissionMixin, View):
    """A button's target (claim, approve, remove…): POST only; define post()."""

    http_method_names = ["post"]


class FormPageView(PortalPermissionMixin, FormView):
    """A form on the house's one form page (templates/form_page.html).

    Set `title` (or override get_title), and where they apply `submit_label`, `section_nav`
    (a template included above the title), get_subtitle() (text, or an object whose page the
    lead line links to) and get_cancel_url() (by default the page's object's own page).
    """

    template_name = "form_page.html"
    title = ""
    submit_label = None
    section_nav = None

    def get_title(self) -> str:
        return self.title

    def get_subtitle(self):
        return None

    def get_cancel_url(self) -> str | None:
        get_url = getattr(self.object, "get_absolute_url", None)
        return get_url() if get_url else None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.get_title())
        kwargs.setdefault("cancel_url", self.get_cancel_url())
        if self.submit_label is not None:
            kwargs.setdefault("submit_label", self.submit_label)
        if self.section_nav is not None:
            kwargs.setdefault("section_nav", self.section_nav)
        subtitle = self.get_subtitle()
        if subtitle is not None:
            kwargs.setdefault("subtitle", subtitle)
            if hasattr(subtitle, "get_absolute_url"):
                kwargs.setdefault("subtitle_url", subtitle.get_absolute_url())
        return super().get_context_data(**kwargs)


def add_service_error(form: forms.Form, error: ServiceError | ValidationError) -> None:
    """Put a service's refusal on the field it names, or on the form as a whole."""
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def service_error_message(error: ServiceError | ValidationError) -> str:
    """One sentence for messages.error() on a page without a form."""
    if isinstance(error, ServiceError):
        return error.message
    return " ".join(error.messages)
