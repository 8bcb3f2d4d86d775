"""/alliance/: what the alliance is this year, in figures, and the way to its pages."""

from __future__ import annotations

from django.views.generic import TemplateView

from alliance import selectors
from core.views import PortalPermissionMixin


class IndexView(PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_overview"
    template_name = "alliance/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            overview=selectors.alliance_overview(self.request.user), **kwargs
        )
