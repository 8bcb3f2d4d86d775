"""URLs under /venues/."""

from django.urls import path

from venues import views

app_name = "venues"
urlpatterns = [
    path("", views.venue_list, name="list"),
    path("new/", views.venue_create, name="venue_create"),
    path("<int:pk>/", views.venue_detail, name="venue"),
    path("<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("<int:pk>/day/", views.venue_day, name="venue_day"),
    path("<int:pk>/rooms/add/", views.room_add, name="room_add"),
    path("<int:pk>/closures/add/", views.closure_add, name="closure_add"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/book/", views.booking_create, name="book"),
    path("rooms/<int:pk>/feed/<str:token>.ics", views.room_feed, name="room_feed"),
    path("free/", views.free_rooms, name="free"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/export.xlsx", views.booking_export, name="bookings_export"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/change/", views.booking_change, name="booking_change"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/approve/", views.booking_approve, name="booking_approve"),
    path("bookings/<int:pk>/reject/", views.booking_reject, name="booking_reject"),
    path("bookings/<int:pk>/visitors/", views.booking_visitors, name="booking_visitors"),
    path("approvals/", views.approvals, name="approvals"),
    path("stats/", views.stats, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
]
