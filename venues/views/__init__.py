"""Thin views: parse, call a service or a selector, message, redirect.

The one view style (core.views): every page is a class view declaring `permission_required`;
a page about one venue, room or booking fetches it in `get_object()` through a selector that
takes the user (invisible: 404 before the rule) and the rule is then asked on that object.
"""

from venues.views.bookings import (
    ApprovalsView,
    BookingCancelView,
    BookingChangeView,
    BookingCreateView,
    BookingDecisionView,
    BookingDetailView,
    BookingExportView,
    BookingListView,
    BookingVisitorsView,
    FreeRoomsView,
)
from venues.views.places import (
    ClosureAddView,
    RoomAddView,
    RoomDetailView,
    RoomEditView,
    RoomFeedView,
    VenueCreateView,
    VenueDayView,
    VenueDetailView,
    VenueEditView,
    VenueListView,
    _feed_token,
)
from venues.views.stats import StatsExportView, StatsView

__all__ = [
    "ApprovalsView",
    "BookingCancelView",
    "BookingChangeView",
    "BookingCreateView",
    "BookingDecisionView",
    "BookingDetailView",
    "BookingExportView",
    "BookingListView",
    "BookingVisitorsView",
    "ClosureAddView",
    "FreeRoomsView",
    "RoomAddView",
    "RoomDetailView",
    "RoomEditView",
    "RoomFeedView",
    "StatsExportView",
    "StatsView",
    "VenueCreateView",
    "VenueDayView",
    "VenueDetailView",
    "VenueEditView",
    "VenueListView",
    "_feed_token",
]
