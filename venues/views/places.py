"""Venues and rooms: lists, calendars, the phone feed, and the venue's own forms."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.params import week_param
from core.views import FormPageView, PortalPermissionMixin, add_service_error
from venues import selectors, services
from venues.filters import VenueFilter
from venues.forms import (
    ClosureForm,
    RoomForm,
    VenueForm,
    opening_hours_formset,
)
from venues.models import Venue
from venues.services import BookingError
from venues.services.feeds import active_feed_tokens
from venues.views.common import (
    RoomObjectMixin,
    VenueObjectMixin,
    date_param,
)

# --- Venues and rooms ------------------------------------------------------------------------


class VenueListView(PortalPermissionMixin, TemplateView):
    permission_required = "venues.view_venue"
    template_name = "venues/venue_list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        filterset = VenueFilter(request.GET or None, queryset=selectors.venues_for(request.user))
        page = Paginator(filterset.qs.order_by("-is_hub", "name"), 25).get_page(
            request.GET.get("page")
        )
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            can_add=request.user.has_perm("venues.add_venue"),
            **kwargs,
        )


class VenueDetailView(VenueObjectMixin, TemplateView):
    permission_required = "venues.view_venue"
    template_name = "venues/venue_detail.html"

    def get_context_data(self, **kwargs):
        venue, user = self.object, self.request.user
        return super().get_context_data(
            venue=venue,
            rooms=selectors.rooms_for(user, venue).order_by("name"),
            hours=venue.opening_hours.all(),
            closures=venue.closures.filter(ends_on__gte=timezone.localdate()),
            can_manage=user.has_perm("venues.change_venue", venue),
            **kwargs,
        )


class VenueFormView(PortalPermissionMixin, View):
    """The venue's particulars and its weekly opening hours, saved together or not at all."""

    template_name = "venues/venue_form.html"

    def venue(self) -> Venue:
        return self.object

    def title(self, venue: Venue) -> str:
        raise NotImplementedError

    def cancel_url(self, venue: Venue) -> str:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.page(request)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.page(request)

    def page(self, request: HttpRequest) -> HttpResponse:
        venue = self.venue()
        initial = [
            {"weekday": h.weekday, "opens": h.opens, "closes": h.closes}
            for h in (venue.opening_hours.all() if venue.pk else [])
        ]
        form = VenueForm(request.POST or None, instance=venue, user=request.user)
        formset = opening_hours_formset(existing=len(initial))(
            request.POST or None, initial=initial, prefix="hours"
        )
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            try:
                saved = services.venue_save(
                    venue=form.save(commit=False),
                    opening_hours=formset.spans(),
                    acting_user=request.user,
                )
            except BookingError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Venue saved: %(venue)s.") % {"venue": saved})
                return redirect(saved)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "formset": formset,
                "title": self.title(venue),
                "cancel_url": self.cancel_url(venue),
            },
        )


class VenueCreateView(VenueFormView):
    permission_required = "venues.add_venue"

    def venue(self) -> Venue:
        return Venue()

    def title(self, venue: Venue) -> str:
        return _("New venue")

    def cancel_url(self, venue: Venue) -> str:
        return reverse("venues:list")


class VenueEditView(VenueObjectMixin, VenueFormView):
    permission_required = "venues.change_venue"

    def title(self, venue: Venue) -> str:
        return _("Change venue “%(venue)s”") % {"venue": venue}

    def cancel_url(self, venue: Venue) -> str:
        return venue.get_absolute_url()


class VenueDayView(VenueObjectMixin, TemplateView):
    permission_required = "venues.view_venue"
    template_name = "venues/venue_day.html"

    def get_context_data(self, **kwargs):
        venue, user = self.object, self.request.user
        date = date_param(self.request)
        day, rows = selectors.venue_day(user=user, venue=venue, date=date)
        for row in rows:
            for booking in row.bookings:
                booking.visible = selectors.booking_visible(user, booking)
        return super().get_context_data(
            venue=venue,
            day=day,
            rows=rows,
            previous=date - datetime.timedelta(days=1),
            next=date + datetime.timedelta(days=1),
            **kwargs,
        )


class RoomDetailView(RoomObjectMixin, TemplateView):
    permission_required = "venues.view_venue"
    template_name = "venues/room_detail.html"

    def get_context_data(self, **kwargs):
        room, user = self.object, self.request.user
        monday = week_param(self.request.GET, request=self.request)
        days = selectors.room_week(user=user, room=room, monday=monday)
        for day in days:
            for booking in day.bookings:
                booking.visible = selectors.booking_visible(user, booking)
        feed = active_feed_tokens().filter(user=user, room=room).first()
        feed_url = self.request.build_absolute_uri(feed.get_feed_url()) if feed else None
        return super().get_context_data(
            room=room,
            days=days,
            monday=monday,
            previous=monday - datetime.timedelta(days=7),
            next=monday + datetime.timedelta(days=7),
            feed_url=feed_url,
            has_hours=any(day.hours for day in days),
            can_book=user.has_perm("venues.add_booking"),
            can_manage=user.has_perm("venues.change_room", room),
            **kwargs,
        )


class RoomEditView(RoomObjectMixin, FormPageView):
    permission_required = "venues.change_room"
    form_class = RoomForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_title(self) -> str:
        return _("Change room")

    def form_valid(self, form):
        try:
            room = services.room_save(
                room=form.save(commit=False),
                facilities=form.cleaned_data["facilities"],
                acting_user=self.request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Room saved."))
        return redirect(room)


class RoomAddView(VenueObjectMixin, FormPageView):
    permission_required = "venues.add_room"
    form_class = RoomForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.instance.venue = self.object
        return form

    def get_title(self) -> str:
        return _("Add a room to %(venue)s") % {"venue": self.object}

    def form_valid(self, form):
        try:
            room = services.room_save(
                room=form.save(commit=False),
                facilities=form.cleaned_data["facilities"],
                acting_user=self.request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Room added."))
        return redirect(room)


class ClosureAddView(VenueObjectMixin, FormPageView):
    permission_required = "venues.change_venue"
    form_class = ClosureForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.instance.venue = self.object
        return form

    def get_title(self) -> str:
        return _("Close %(venue)s for some days") % {"venue": self.object}

    def form_valid(self, form):
        venue = self.object
        try:
            services.closure_add(venue=venue, acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Closure recorded."))
        return redirect(venue)
