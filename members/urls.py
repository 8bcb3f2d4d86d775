"""URLs under /members/."""

from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("new/", views.MemberCreateView.as_view(), name="create"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.MemberUpdateView.as_view(), name="edit"),
    path("<int:pk>/transfer/", views.TransferRequestView.as_view(), name="transfer_request"),
    path(
        "<int:pk>/participations/new/",
        views.ParticipationAddView.as_view(),
        name="participation_add",
    ),
    path(
        "<int:pk>/participations/<int:participation_pk>/end/",
        views.ParticipationEndView.as_view(),
        name="participation_end",
    ),
    path(
        "<int:pk>/commendations/new/", views.CommendationAddView.as_view(), name="commendation_add"
    ),
    path("transfers/", views.TransferQueueView.as_view(), name="transfers"),
    path(
        "transfers/<int:pk>/<str:action>/",
        views.TransferDecisionView.as_view(),
        name="transfer_decide",
    ),
    path("talent/", views.TalentPoolView.as_view(), name="talent"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/confirm/", views.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
]
