"""URLs under /venues/."""

from django.urls import path

from venues import views
from venues.services import Decision

app_name = "venues"
urlpatterns = [
    path("", views.VenueListView.as_view(), name="list"),
    path("new/", views.VenueCreateView.as_view(), name="venue_create"),
    path("<int:pk>/", views.VenueDetailView.as_view(), name="venue"),
    path("<int:pk>/edit/", views.VenueEditView.as_view(), name="venue_edit"),
    path("<int:pk>/day/", views.VenueDayView.as_view(), name="venue_day"),
    path("<int:pk>/rooms/add/", views.RoomAddView.as_view(), name="room_add"),
    path("<int:pk>/closures/add/", views.ClosureAddView.as_view(), name="closure_add"),
    path("rooms/<int:pk>/", views.RoomDetailView.as_view(), name="room"),
    path("rooms/<int:pk>/edit/", views.RoomEditView.as_view(), name="room_edit"),
    path("rooms/<int:pk>/book/", views.BookingCreateView.as_view(), name="book"),
    path("rooms/<int:pk>/feed/<str:token>.ics", views.RoomFeedView.as_view(), name="room_feed"),
    path("rooms/<int:pk>/feed/new/", views.FeedTokenIssueView.as_view(), name="feed_issue"),
    path("feeds/<int:pk>/revoke/", views.FeedTokenRevokeView.as_view(), name="feed_revoke"),
    path("free/", views.FreeRoomsView.as_view(), name="free"),
    path("bookings/", views.BookingListView.as_view(), name="bookings"),
    path("bookings/export.xlsx", views.BookingExportView.as_view(), name="bookings_export"),
    path("bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking"),
    path("bookings/<int:pk>/change/", views.BookingChangeView.as_view(), name="booking_change"),
    path("bookings/<int:pk>/cancel/", views.BookingCancelView.as_view(), name="booking_cancel"),
    # One decision view; the two URL names say which decision (templates and links keep them).
    path(
        "bookings/<int:pk>/approve/",
        views.BookingDecisionView.as_view(decision=Decision.APPROVE),
        name="booking_approve",
    ),
    path(
        "bookings/<int:pk>/reject/",
        views.BookingDecisionView.as_view(decision=Decision.REJECT),
        name="booking_reject",
    ),
    path(
        "bookings/<int:pk>/series/approve/",
        views.SeriesDecisionView.as_view(decision=Decision.APPROVE),
        name="series_approve",
    ),
    path(
        "bookings/<int:pk>/series/reject/",
        views.SeriesDecisionView.as_view(decision=Decision.REJECT),
        name="series_reject",
    ),
    path(
        "bookings/<int:pk>/visitors/",
        views.BookingVisitorsView.as_view(),
        name="booking_visitors",
    ),
    path("approvals/", views.ApprovalsView.as_view(), name="approvals"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("stats/export.xlsx", views.StatsExportView.as_view(), name="stats_export"),
]
