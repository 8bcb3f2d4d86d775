"""URLs under /branches/."""

from django.urls import path

from branches import election_views, views, views_funds

app_name = "branches"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("export/", views.OrganizationExportView.as_view(), name="export"),
    path("tree/", views.OrganizationTreeView.as_view(), name="tree"),
    path("search/", views.OrganizationSearchView.as_view(), name="search"),
    path(
        "search/transfer-targets/",
        views.TransferTargetSearchView.as_view(),
        name="transfer_target_search",
    ),
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
# Elections (branches.election_views)
urlpatterns += [
    path("elections/", election_views.ElectionListView.as_view(), name="elections"),
    path(
        "<int:pk>/elections/new/", election_views.ElectionOpenView.as_view(), name="election_open"
    ),
    path(
        "<int:pk>/elections/<int:election>/",
        election_views.ElectionDetailView.as_view(),
        name="election_detail",
    ),
    path(
        "<int:pk>/elections/<int:election>/approve-plan/",
        election_views.ElectionApprovePlanView.as_view(),
        name="election_approve_plan",
    ),
    path(
        "<int:pk>/elections/<int:election>/result/",
        election_views.ElectionResultsView.as_view(),
        name="election_results",
    ),
    path(
        "<int:pk>/elections/<int:election>/approve-result/",
        election_views.ElectionApproveResultView.as_view(),
        name="election_approve_result",
    ),
    path(
        "<int:pk>/elections/<int:election>/cancel/",
        election_views.ElectionCancelView.as_view(),
        name="election_cancel",
    ),
    path("funds/", views_funds.OverviewView.as_view(), name="funds_overview"),
    path("funds/export/", views_funds.OverviewExportView.as_view(), name="funds_overview_export"),
    path("<int:pk>/funds/", views_funds.LedgerView.as_view(), name="funds"),
    path(
        "<int:pk>/funds/allocation/new/",
        views_funds.AllocationCreateView.as_view(),
        name="funds_allocation",
    ),
    path(
        "<int:pk>/funds/expense/new/", views_funds.ExpenseCreateView.as_view(), name="funds_expense"
    ),
    path("<int:pk>/funds/budget/", views_funds.BudgetView.as_view(), name="funds_budget"),
    path("<int:pk>/funds/export/", views_funds.LedgerExportView.as_view(), name="funds_export"),
    path(
        "<int:pk>/funds/<int:entry>/reverse/",
        views_funds.EntryReverseView.as_view(),
        name="funds_reverse",
    ),
    path(
        "<int:pk>/funds/<int:entry>/receipt/",
        views_funds.ReceiptDownloadView.as_view(),
        name="funds_receipt",
    ),
]
