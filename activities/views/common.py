"""What the activities pages share: the activity through the selector, the year parameter and
a form that needs more than reading the page."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone

from activities import selectors
from core.views import PortalPermissionMixin


class ActivityPageMixin(PortalPermissionMixin):
    """A page about one activity, read through the selector: another organization's activity
    is a 404, then `permission_required` is asked on it."""

    def get_object(self):
        return selectors.get_activity_for(self.request.user, self.kwargs["pk"])


class FormPermissionMixin(PortalPermissionMixin):
    """A page every reader may open (`permission_required`) whose form only some may send
    (`post_permission_required`, asked on POST in addition)."""

    post_permission_required: str | None = None

    def get_permission_required(self):
        required = tuple(super().get_permission_required())
        if self.request.method == "POST" and self.post_permission_required:
            return (*required, self.post_permission_required)
        return required

    def can_post(self) -> bool:
        return self.request.user.has_perm(self.post_permission_required, self.object)


def year_and_as_of(request: HttpRequest) -> tuple[int, datetime.date]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    as_of = (
        today if year == today.year else datetime.date(year, 12, 31) + datetime.timedelta(days=1)
    )
    return year, as_of
