"""The 首页 view: what each role needs first, from home.kpis, home.charts and home.panels."""

from django.utils import timezone
from django.views.generic import TemplateView

from core.services import user_toggle_large_text
from core.views import PortalPermissionMixin
from home import cache as home_cache
from home import charts, kpis, panels, tasks


class HomeView(PortalPermissionMixin, TemplateView):
    """首页: each role's task row first (home.tasks: big buttons and what needs doing now),
    then what they keep an eye on — the alliance's figures and charts for bureau staff and
    viewers, their own organization for a secretary, assignments for a supervisor, the
    community for a liaison."""

    permission_required = "home.view_home"
    template_name = "home/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        year = timezone.localdate().year
        context = super().get_context_data(year=year, **kwargs)
        if user.is_bureau_staff or user.is_viewer:
            home_cache.begin_request()
            chart_data = charts.chart_data(year)
            context.update(
                panel="staff",
                kpi_groups=kpis.staff_kpis(user, year),
                chart_json=dict(chart_data),
                chart_tables=charts.chart_tables(chart_data),
                figures_as_of=home_cache.stale_since(),
                **(tasks.staff_tasks(user) if user.is_bureau_staff else tasks.viewer_tasks(user)),
            )
        elif user.is_secretary and user.organization_id:
            panel = panels.secretary_panel(user)
            context.update(
                panel="secretary", **panel, **tasks.secretary_tasks(user, overdue=panel["overdue"])
            )
        elif user.is_supervisor:
            panel = panels.supervisor_panel(user)
            context.update(
                panel="supervisor",
                **panel,
                **tasks.supervisor_tasks(user, assignments=panel["assignments"]),
            )
        elif user.is_liaison:
            panel = panels.liaison_panel(user)
            context.update(
                panel="liaison", **panel, **tasks.liaison_tasks(user, community=panel["community"])
            )
        return context


def large_text_from_login_page(sender, request, user, **kwargs) -> None:
    """大字 chosen on the login page (a cookie: static/js/header.js) stays on once signed in:
    the person who needed it to log in needs it on every page after."""
    if request is not None and request.COOKIES.get("large_text") == "1" and not user.large_text:
        user_toggle_large_text(user=user)
