"""What the alliance's pages share: pagination and form errors as one sentence. The form page
and the POST-only action are core.views.FormPageView and ActionView."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest

PAGE_SIZE = 20


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[field].label if field in form.fields else ''}：{error}".lstrip("：")
        for field, errors in form.errors.items()
        for error in errors
    )
