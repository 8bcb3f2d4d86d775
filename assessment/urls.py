"""URLs under /assessment/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from alliance.views import section_placeholder

app_name = "assessment"
urlpatterns = [
    path("", section_placeholder, {"title": _("Assessment")}, name="index"),
]
