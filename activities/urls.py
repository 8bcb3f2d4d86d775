"""URLs under /activities/."""

from django.urls import path

from activities.views import cohosts, compliance, meetings, points, signin, training, volunteering

app_name = "activities"
urlpatterns = [
    path("", meetings.ActivityListView.as_view(), name="list"),
    # Sign-in (before "<int:pk>/<str:action>/"): the public page behind the QR code, and the
    # secretary's QR code, sign-in sheet, ticks from paper and live list.
    path("signin/<str:token>/", signin.SignInView.as_view(), name="sign_in"),
    path("<int:pk>/signin/", signin.SignInQrView.as_view(), name="signin_qr"),
    path("<int:pk>/signin/sheet/", signin.SignInSheetView.as_view(), name="signin_sheet"),
    path("<int:pk>/signin/paper/", signin.PaperTickView.as_view(), name="signin_paper"),
    path("<int:pk>/signin/present.json", signin.SignedInJsonView.as_view(), name="signin_json"),
    path("calendar/", meetings.ActivityCalendarView.as_view(), name="calendar"),
    path("new/", meetings.ActivityCreateView.as_view(), name="create"),
    path("log/", meetings.MeetingLogView.as_view(), name="meeting_log"),
    path("export/ledger.xlsx", meetings.LedgerExportView.as_view(), name="export_ledger"),
    path(
        "export/attendance.xlsx",
        meetings.AttendanceExportView.as_view(),
        name="export_attendance",
    ),
    path("cohosts/", cohosts.CohostRequestListView.as_view(), name="cohost_requests"),
    path("cohosts/search/", cohosts.CohostSearchView.as_view(), name="cohost_search"),
    path(
        "cohosts/<int:pk>/<str:answer>/",
        cohosts.CohostAnswerView.as_view(),
        name="cohost_answer",
    ),
    path("<int:pk>/", meetings.ActivityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", meetings.ActivityUpdateView.as_view(), name="update"),
    path("<int:pk>/attendance/", meetings.AttendanceView.as_view(), name="attendance"),
    path(
        "<int:pk>/attendance.xlsx",
        meetings.ActivityAttendanceExportView.as_view(),
        name="attendance_export",
    ),
    path("<int:pk>/hours/", volunteering.VolunteerHoursFormView.as_view(), name="hours"),
    path("<int:pk>/attachments/", meetings.AttachmentUploadView.as_view(), name="attach"),
    path("<int:pk>/<str:action>/", meetings.ActivityActionView.as_view(), name="action"),
    path("attachments/<int:pk>/", meetings.AttachmentDownloadView.as_view(), name="attachment"),
    path("compliance/", compliance.ComplianceBoardView.as_view(), name="compliance"),
    path(
        "compliance/<int:pk>/",
        compliance.OrganizationComplianceView.as_view(),
        name="compliance_organization",
    ),
    path("requirements/", compliance.RequiredFrequencyView.as_view(), name="requirements"),
    path("training/", training.TrainingListView.as_view(), name="training"),
    path("training/new/", training.TrainingCreateView.as_view(), name="training_create"),
    path("training/<int:pk>/", training.TrainingDetailView.as_view(), name="training_detail"),
    path("training/<int:pk>/edit/", training.TrainingUpdateView.as_view(), name="training_update"),
    path("contests/", training.ContestListView.as_view(), name="contests"),
    path("contests/<int:pk>/", training.ContestDetailView.as_view(), name="contest"),
    path(
        "contests/entries/<int:pk>/edit/",
        training.ContestEntryUpdateView.as_view(),
        name="contest_entry_update",
    ),
    path("lectures/", training.LectureTeamListView.as_view(), name="lectures"),
    path("volunteer-hours/", volunteering.VolunteerLedgerView.as_view(), name="volunteer_hours"),
    path("points/", points.PointsStandingsView.as_view(), name="points"),
    path("points/export.xlsx", points.PointsExportView.as_view(), name="points_export"),
    path("points/rule/", points.PointsRuleView.as_view(), name="points_rule"),
    path("points/members/<int:pk>/", points.PointsLedgerView.as_view(), name="points_ledger"),
    path(
        "points/members/<int:pk>/exchange/",
        points.PointsExchangeView.as_view(),
        name="points_exchange",
    ),
    path(
        "points/lines/<int:pk>/reverse/", points.PointsReverseView.as_view(), name="points_reverse"
    ),
]
