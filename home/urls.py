"""URLs under /reports/: every Excel export in one place, and the annual workbook."""

from django.urls import path

from home import reports

app_name = "reports"
urlpatterns = [
    path("", reports.ReportsIndexView.as_view(), name="index"),
    path("annual/<int:year>.xlsx", reports.AnnualWorkbookView.as_view(), name="annual"),
]
