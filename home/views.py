"""The 首页 view: what each role needs first, from home.kpis, home.charts and home.panels."""

from django.utils import timezone
from django.views.generic import TemplateView

from core.views import PortalPermissionMixin
from home import charts, kpis, panels


class HomeView(PortalPermissionMixin, TemplateView):
    """首页: what each role needs first — the alliance's figures and charts for bureau staff
    and viewers, their own organization for a secretary, assignments for a supervisor, the
    community for a liaison."""

    permission_required = "home.view_home"
    template_name = "home/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        year = timezone.localdate().year
        context = super().get_context_data(year=year, **kwargs)
        if user.is_bureau_staff or user.is_viewer:
            chart_data = charts.chart_data(year)
            context.update(
                panel="staff",
                kpi_groups=kpis.staff_kpis(user, year),
                chart_json=dict(chart_data),
                chart_tables=charts.chart_tables(chart_data),
            )
        elif user.is_secretary:
            context.update(panel="secretary", **panels.secretary_panel(user))
        elif user.is_supervisor:
            context.update(panel="supervisor", **panels.supervisor_panel(user))
        elif user.is_liaison:
            context.update(panel="liaison", **panels.liaison_panel(user))
        return context
