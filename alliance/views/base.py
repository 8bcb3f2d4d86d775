"""What the alliance's pages share: pagination, the form page, the POST-only action."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.views.generic import FormView, View

from core.views import PortalPermissionMixin

PAGE_SIZE = 20


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[field].label if field in form.fields else ''}：{error}".lstrip("：")
        for field, errors in form.errors.items()
        for error in errors
    )


class FormPageView(PortalPermissionMixin, FormView):
    """A form on the site's `form_page.html`: its title, an optional lead line (the object it
    is about, linked), and the way back."""

    template_name = "form_page.html"
    title = ""

    def get_title(self) -> str:
        return self.title

    def get_subtitle(self):
        """The lead line under the title: an object with get_absolute_url, or None."""
        return None

    def get_cancel_url(self) -> str:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.get_title())
        kwargs.setdefault("cancel_url", self.get_cancel_url())
        subtitle = self.get_subtitle()
        if subtitle is not None:
            kwargs.setdefault("subtitle", subtitle)
            kwargs.setdefault("subtitle_url", subtitle.get_absolute_url())
        return super().get_context_data(**kwargs)


class ActionView(PortalPermissionMixin, View):
    """A POST-only action (claim, withdraw, accept…): any other method is a 405, before the
    object is looked up or a rule asked (as require_POST did)."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)
