"""The community page."""

from __future__ import annotations

from django.views.generic import TemplateView

from alliance import selectors
from core.views import PortalPermissionMixin


class CommunityDetailView(PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_community"
    template_name = "alliance/community/community_detail.html"

    def get_object(self):
        return selectors.get_community_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        overview = selectors.community_overview(self.request.user, self.object)
        return super().get_context_data(**overview, **kwargs)
