"""The portal's URLs plus /__floor__/ (bench only; see settings_floor.py)."""

from django.shortcuts import render
from django.urls import include, path


def floor(request):
    rows = [{"number": n, "name": f"第 {n} 行", "value": n * 7} for n in range(50)]
    return render(request, "floor.html", {"rows": rows})


urlpatterns = [
    path("__floor__/", floor),
    path("", include("config.urls")),
]
