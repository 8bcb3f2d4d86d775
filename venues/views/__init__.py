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
    SeriesDecisionView,
)
from venues.views.feeds import FeedTokenIssueView, FeedTokenRevokeView, RoomFeedView
from venues.views.places import (
    ClosureAddView,
    RoomAddView,
    RoomDetailView,
    RoomEditView,
    VenueCreateView,
    VenueDayView,
    VenueDetailView,
    VenueEditView,
    VenueListView,
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
    "FeedTokenIssueView",
    "FeedTokenRevokeView",
    "FreeRoomsView",
    "RoomAddView",
    "RoomDetailView",
    "RoomEditView",
    "RoomFeedView",
    "SeriesDecisionView",
    "StatsExportView",
    "StatsView",
    "VenueCreateView",
    "VenueDayView",
    "VenueDetailView",
    "VenueEditView",
    "VenueListView",
]
