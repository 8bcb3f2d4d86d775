"""URLs under /activities/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from alliance.views import section_placeholder

app_name = "activities"
urlpatterns = [
    path("", section_placeholder, {"title": _("Activities")}, name="list"),
]
