"""Alliance registry and annual targets, mounted under /alliance/ (namespace "alliance")."""

from django.urls import path

from branches import views

urlpatterns = [
    path("registry/", views.RegistryView.as_view(), name="registry"),
    path("registry/join/", views.RegistryJoinView.as_view(), name="registry_join"),
    path("registry/<int:pk>/leave/", views.RegistryLeaveView.as_view(), name="registry_leave"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("targets/new/", views.TargetEditView.as_view(), name="target_create"),
    path("targets/<int:year>/", views.TargetEditView.as_view(), name="target_edit"),
]
