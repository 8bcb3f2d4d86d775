"""What the assessment pages share: pagination, the generic form page, the section's index."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.views.generic import TemplateView

from assessment import selectors
from assessment.models import RectificationStatus, RoundState
from core import views as core_views
from core.views import PortalPermissionMixin

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


class RoleFirstMixin:
    """For pages whose rule is about the user's role: a role that may never open such a page
    is refused (403) before the object is looked up; a role that may is then asked about the
    object fetched through the selector (404 when it is not visible)."""

    def has_permission(self) -> bool:
        if not self.request.user.has_perms(self.get_permission_required()):
            return False
        return super().has_permission()


class FormPageView(core_views.FormPageView):
    """The assessment's form pages carry its section navigation."""

    section_nav = "assessment/includes/_nav.html"


class IndexView(PortalPermissionMixin, TemplateView):
    permission_required = "assessment.view_index"
    template_name = "assessment/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs["rounds"] = selectors.rounds_for(user)[:5]
        if user.is_supervisor:
            kwargs["assigned_count"] = (
                selectors.assessments_for(user).exclude(round__state=RoundState.DRAFT).count()
            )
        if user.is_secretary:
            kwargs["own_count"] = selectors.assessments_for(user).count()
        kwargs["overdue_count"] = (
            selectors.rectifications_for(user)
            .filter(status=RectificationStatus.OPEN, deadline__lt=timezone.localdate())
            .count()
        )
        return super().get_context_data(**kwargs)
