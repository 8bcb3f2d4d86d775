"""URLs under /alliance/: the alliance registry and targets (branches.alliance_urls) and
community coordination — needs, resources, claims, mediation, community pages
(alliance.community_urls)."""

from django.urls import include, path

app_name = "alliance"
urlpatterns = [
    path("", include("branches.alliance_urls")),
    path("", include("alliance.community_urls")),
]
