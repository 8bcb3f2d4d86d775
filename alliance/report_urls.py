"""URLs under /reports/: every Excel export in one place, and the annual workbook."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from alliance.views import section_placeholder

app_name = "reports"
urlpatterns = [
    path("", section_placeholder, {"title": _("Reports")}, name="index"),
]
