"""URLs under /alliance/: the alliance registry, targets and community coordination."""

app_name = "alliance"
urlpatterns: list = []
