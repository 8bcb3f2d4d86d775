"""URLs under /members/."""

from django.urls import path

from members import care_views, views

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("new/", views.MemberCreateView.as_view(), name="create"),
    path("search/", views.MemberSearchView.as_view(), name="search"),
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
        "<int:pk>/participations/<int:participation_pk>/leader/",
        views.ParticipationLeaderView.as_view(),
        name="participation_leader",
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
    path("care/", care_views.CareListView.as_view(), name="care"),
    path("care/summary/", care_views.CareSummaryView.as_view(), name="care_summary"),
    path("care/export.xlsx", care_views.CareExportView.as_view(), name="care_export"),
    path("<int:pk>/visits/new/", care_views.VisitAddView.as_view(), name="visit_add"),
    path("<int:pk>/care-flags/new/", care_views.CareFlagAddView.as_view(), name="care_flag_add"),
    path(
        "organizations/<int:pk>/commendations/new/",
        care_views.OrganizationCommendationAddView.as_view(),
        name="organization_commendation_add",
    ),
    path("dues/", care_views.DuesLedgerView.as_view(), name="dues"),
    path("dues/rebase/", care_views.DuesRebaseView.as_view(), name="dues_rebase"),
    path("dues/export.xlsx", care_views.DuesExportView.as_view(), name="dues_export"),
    path("dues/receipts/<int:pk>/", care_views.DuesReceiptView.as_view(), name="dues_receipt"),
    path("<int:pk>/dues/base/", care_views.DuesBaseView.as_view(), name="dues_base"),
    path("<int:pk>/dues/pay/", care_views.DuesPaymentView.as_view(), name="dues_pay"),
    path("talent/", views.TalentPoolView.as_view(), name="talent"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/confirm/", views.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/done/", views.ImportDoneView.as_view(), name="import_done"),
    path("import/problems.xlsx", views.ImportProblemsView.as_view(), name="import_problems"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
]
