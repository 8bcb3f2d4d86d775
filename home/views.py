"""The 首页: what each role needs first."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from home import dashboard


def home(request: HttpRequest) -> HttpResponse:
    """首页: what each role needs first — the alliance's figures and charts for bureau staff
    and viewers, their own organization for a secretary, assignments for a supervisor, the
    community for a liaison."""

    user = request.user
    year = timezone.localdate().year
    context: dict = {"year": year}
    if user.is_bureau_staff or user.is_viewer:
        charts = dashboard.chart_data(year)
        context.update(
            panel="staff",
            kpi_groups=dashboard.staff_kpis(user, year),
            chart_json={key: data for key, data in charts.items() if data is not None},
            chart_tables=dashboard.chart_tables(charts),
        )
    elif user.is_secretary:
        context.update(panel="secretary", **dashboard.secretary_panel(user))
    elif user.is_supervisor:
        context.update(panel="supervisor", **dashboard.supervisor_panel(user))
    elif user.is_liaison:
        context.update(panel="liaison", **dashboard.liaison_panel(user))
    return render(request, "home/home.html", context)
