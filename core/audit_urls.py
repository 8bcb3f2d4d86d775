"""/audit/: 审计日志 — bureau staff only."""

from django.urls import path

from core import audit_views as views

app_name = "audit"

urlpatterns = [path("", views.AuditLogView.as_view(), name="log")]
