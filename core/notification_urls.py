"""/notifications/: the inbox, the short link a text message carries, mark read."""

from django.urls import path

from core import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("read-all/", views.ReadAllView.as_view(), name="read_all"),
    path("<int:pk>/", views.OpenView.as_view(), name="open"),
    path("<int:pk>/read/", views.ReadView.as_view(), name="read"),
]
