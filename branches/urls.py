"""URLs under /branches/."""

from django.urls import path

from branches import views

app_name = "branches"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("export/", views.OrganizationExportView.as_view(), name="export"),
    path("tree/", views.OrganizationTreeView.as_view(), name="tree"),
    path("new/", views.OrganizationCreateView.as_view(), name="create"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OrganizationEditView.as_view(), name="edit"),
    path("<int:pk>/dissolve/", views.OrganizationDissolveView.as_view(), name="dissolve"),
    path("<int:pk>/terms/new/", views.TermCreateView.as_view(), name="term_create"),
    path("<int:pk>/terms/<int:term>/", views.TermEditView.as_view(), name="term_edit"),
    path("<int:pk>/committee/add/", views.PositionAddView.as_view(), name="position_add"),
    path(
        "<int:pk>/committee/<int:position>/remove/",
        views.PositionRemoveView.as_view(),
        name="position_remove",
    ),
]
