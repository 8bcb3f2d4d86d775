"""/jobs/: 我的导出 — the user's own background jobs, their progress and their files."""

from django.urls import path

from core import job_views as views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="list"),
    path("<uuid:pk>/", views.JobDetailView.as_view(), name="detail"),
    path("<uuid:pk>/status/", views.JobStatusView.as_view(), name="status"),
    path("<uuid:pk>/download/", views.JobDownloadView.as_view(), name="download"),
    path("<uuid:pk>/retry/", views.JobRetryView.as_view(), name="retry"),
]
