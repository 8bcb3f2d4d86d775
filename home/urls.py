"""URLs under /reports/: every Excel export in one place, and the annual workbook."""

from django.urls import path

from home import reports

app_name = "reports"
urlpatterns = [
    path("", reports.reports_index, name="index"),
    path("annual/<int:year>.xlsx", reports.annual_workbook, name="annual"),
]
