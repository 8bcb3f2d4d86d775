"""URLs under /assessment/."""

from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("rubrics/", views.rubric_list, name="rubric_list"),
    path("rubrics/copy/", views.rubric_copy, name="rubric_copy"),
    path("rubrics/upload/", views.rubric_upload, name="rubric_upload"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric_detail"),
    path("rubrics/<int:pk>/download/", views.rubric_download, name="rubric_download"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/scope/", views.round_scope, name="round_scope"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:pk>/transition/", views.round_transition, name="round_transition"),
    path("rounds/<int:pk>/reopen/", views.round_reopen, name="round_reopen"),
    path("rounds/<int:pk>/results/", views.round_results, name="round_results"),
    path("rounds/<int:pk>/score-sheet.xlsx", views.round_sheet, name="round_sheet"),
    path("results/", views.results, name="results"),
    path("results/export.xlsx", views.results_export, name="results_export"),
    path("mine/", views.my_assignments, name="my_assignments"),
    path("self/", views.my_self_assessment, name="my_self_assessment"),
    path("assessments/<int:pk>/score/", views.score, name="score"),
    path("assessments/<int:pk>/self/", views.self_assess, name="self_assess"),
    path("assessments/<int:pk>/card/", views.score_card, name="score_card"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/done/", views.rectification_done, name="rectification_done"),
]
