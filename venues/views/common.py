"""What the venues pages share: the object mixins (each fetches its venue, room or booking
through a selector that takes the user) and the form page."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date

from core.views import PortalPermissionMixin
from venues import selectors
from venues.models import Booking, Room, Venue


def date_param(request, name: str = "date") -> datetime.date:
    return parse_date(request.GET.get(name) or "") or timezone.localdate()


class VenueObjectMixin(PortalPermissionMixin):
    def get_object(self) -> Venue:
        return selectors.get_venue_for(self.request.user, self.kwargs["pk"])


class RoomObjectMixin(PortalPermissionMixin):
    def get_object(self) -> Room:
        return selectors.get_room_for(self.request.user, self.kwargs["pk"])


class BookingObjectMixin(PortalPermissionMixin):
    def get_object(self) -> Booking:
        return selectors.get_booking_for(self.request.user, self.kwargs["pk"])
