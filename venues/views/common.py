"""What the venues pages share: the object mixins (each fetches its venue, room or booking
through a selector that takes the user) and the form page."""

from __future__ import annotations

import datetime

from core import params
from core.views import PortalPermissionMixin
from venues import selectors
from venues.models import Booking, Room, Venue


def date_param(request, name: str = "date") -> datetime.date:
    """`?date=` (or `name`) as a real date; today, with a message, when it is not one."""
    return params.date_param(request.GET, name, request=request)


class VenueObjectMixin(PortalPermissionMixin):
    def get_object(self) -> Venue:
        return selectors.get_venue_for(self.request.user, self.kwargs["pk"])


class RoomObjectMixin(PortalPermissionMixin):
    def get_object(self) -> Room:
        return selectors.get_room_for(self.request.user, self.kwargs["pk"])


class BookingObjectMixin(PortalPermissionMixin):
    def get_object(self) -> Booking:
        return selectors.get_booking_for(self.request.user, self.kwargs["pk"])
