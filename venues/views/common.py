"""What the venues pages share: the object mixins (each fetches its venue, room or booking
through a selector that takes the user) and the form page."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.generic import FormView

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


class PostOnlyMixin:
    """A button's target: anything but POST is refused (405) before any other check."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST":
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class FormPageView(PortalPermissionMixin, FormView):
    """A form on the house's one form page (templates/form_page.html) with a title and a way back."""

    template_name = "form_page.html"

    def title(self) -> str:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title(), cancel_url=self.object.get_absolute_url(), **kwargs
        )
