"""URLs under /activities/."""

from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("", views.ActivityListView.as_view(), name="list"),
    path("calendar/", views.ActivityCalendarView.as_view(), name="calendar"),
    path("new/", views.ActivityCreateView.as_view(), name="create"),
    path("log/", views.MeetingLogView.as_view(), name="meeting_log"),
    path("export/ledger.xlsx", views.LedgerExportView.as_view(), name="export_ledger"),
    path("export/attendance.xlsx", views.AttendanceExportView.as_view(), name="export_attendance"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="update"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path(
        "<int:pk>/attendance.xlsx",
        views.ActivityAttendanceExportView.as_view(),
        name="attendance_export",
    ),
    path("<int:pk>/hours/", views.VolunteerHoursFormView.as_view(), name="hours"),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attach"),
    path("<int:pk>/<str:action>/", views.ActivityActionView.as_view(), name="action"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("compliance/", views.ComplianceBoardView.as_view(), name="compliance"),
    path(
        "compliance/<int:pk>/",
        views.OrganizationComplianceView.as_view(),
        name="compliance_organization",
    ),
    path("requirements/", views.RequiredFrequencyView.as_view(), name="requirements"),
    path("training/", views.TrainingListView.as_view(), name="training"),
    path("training/new/", views.TrainingCreateView.as_view(), name="training_create"),
    path("training/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("training/<int:pk>/edit/", views.TrainingUpdateView.as_view(), name="training_update"),
    path("contests/", views.ContestListView.as_view(), name="contests"),
    path("contests/<int:pk>/", views.ContestDetailView.as_view(), name="contest"),
    path(
        "contests/entries/<int:pk>/edit/",
        views.ContestEntryUpdateView.as_view(),
        name="contest_entry_update",
    ),
    path("lectures/", views.LectureTeamListView.as_view(), name="lectures"),
    path("volunteer-hours/", views.VolunteerLedgerView.as_view(), name="volunteer_hours"),
]
