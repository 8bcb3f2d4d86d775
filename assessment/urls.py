"""URLs under /assessment/."""

from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("rubrics/", views.RubricListView.as_view(), name="rubric_list"),
    path("rubrics/copy/", views.RubricCopyView.as_view(), name="rubric_copy"),
    path("rubrics/upload/", views.RubricUploadView.as_view(), name="rubric_upload"),
    path("rubrics/<int:pk>/", views.RubricDetailView.as_view(), name="rubric_detail"),
    path("rubrics/<int:pk>/download/", views.RubricDownloadView.as_view(), name="rubric_download"),
    path("rubrics/new/", views.RubricStartView.as_view(), name="rubric_start"),
    path("rubrics/template.xlsx", views.RubricTemplateView.as_view(), name="rubric_template"),
    path("rubrics/<int:pk>/edit/", views.RubricEditView.as_view(), name="rubric_edit"),
    path("rubrics/<int:pk>/print/", views.RubricPrintView.as_view(), name="rubric_print"),
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/scope/", views.RoundScopeView.as_view(), name="round_scope"),
    path("rounds/<int:pk>/assign/", views.RoundAssignView.as_view(), name="round_assign"),
    path(
        "rounds/<int:pk>/transition/",
        views.RoundTransitionView.as_view(),
        name="round_transition",
    ),
    path("rounds/<int:pk>/reopen/", views.RoundReopenView.as_view(), name="round_reopen"),
    path("rounds/<int:pk>/results/", views.RoundResultsView.as_view(), name="round_results"),
    path("rounds/<int:pk>/score-sheet.xlsx", views.RoundSheetView.as_view(), name="round_sheet"),
    path("results/", views.ResultsView.as_view(), name="results"),
    path("results/export.xlsx", views.ResultsExportView.as_view(), name="results_export"),
    path("mine/", views.MyAssignmentsView.as_view(), name="my_assignments"),
    path("self/", views.MySelfAssessmentView.as_view(), name="my_self_assessment"),
    path("assessments/<int:pk>/score/", views.ScoreView.as_view(), name="score"),
    path("assessments/<int:pk>/self/", views.SelfAssessView.as_view(), name="self_assess"),
    path("assessments/<int:pk>/card/", views.ScoreCardView.as_view(), name="score_card"),
    path("thresholds/", views.ThresholdsView.as_view(), name="thresholds"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("rectifications/", views.RectificationListView.as_view(), name="rectification_list"),
    path(
        "rectifications/<int:pk>/done/",
        views.RectificationDoneView.as_view(),
        name="rectification_done",
    ),
]
