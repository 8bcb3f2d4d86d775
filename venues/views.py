"""Thin views: parse, call a service or a selector, message, redirect."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.history import HISTORY_LIMIT, change_history
from venues import exports, selectors, services
from venues.filters import BookingFilter, VenueFilter
from venues.forms import (
    BookingChangeForm,
    BookingForm,
    CancelForm,
    ClosureForm,
    FreeRoomForm,
    RejectForm,
    RoomForm,
    VenueForm,
    VisitorsForm,
    opening_hours_formset,
)
from venues.ics import room_calendar
from venues.models import Room, Venue
from venues.services import BookingError, Scope, SeriesConflict


def _room(request, pk):
    return selectors.get_room_for(request.user, pk)


def _venue(request, pk):
    return selectors.get_venue_for(request.user, pk)


def _booking(request, pk):
    return selectors.get_booking_for(request.user, pk)


def _date_param(request, name: str = "date") -> datetime.date:
    return parse_date(request.GET.get(name) or "") or timezone.localdate()


# --- Venues and rooms ------------------------------------------------------------------------


def venue_list(request: HttpRequest) -> HttpResponse:
    filterset = VenueFilter(request.GET or None, queryset=selectors.venues_for(request.user))
    page = Paginator(filterset.qs.order_by("-is_hub", "name"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "venues/venue_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "can_add": request.user.has_perm("venues.add_venue"),
        },
    )


def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    venue = _venue(request, pk)
    return render(
        request,
        "venues/venue_detail.html",
        {
            "venue": venue,
            "rooms": selectors.rooms_for(request.user, venue).order_by("name"),
            "hours": venue.opening_hours.all(),
            "closures": venue.closures.filter(ends_on__gte=timezone.localdate()),
            "can_manage": request.user.has_perm("venues.change_venue", venue),
        },
    )


def _venue_form_page(request, venue: Venue, *, title: str, cancel_url: str):
    """The venue's particulars and its weekly opening hours, saved together or not at all."""
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
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Venue saved: %(venue)s.") % {"venue": saved})
            return redirect(saved)
    return render(
        request,
        "venues/venue_form.html",
        {"form": form, "formset": formset, "title": title, "cancel_url": cancel_url},
    )


@permission_required("venues.add_venue", raise_exception=True)
def venue_create(request: HttpRequest) -> HttpResponse:
    return _venue_form_page(
        request, Venue(), title=_("New venue"), cancel_url=reverse("venues:list")
    )


@permission_required("venues.change_venue", fn=_venue, raise_exception=True)
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    venue = _venue(request, pk)
    return _venue_form_page(
        request,
        venue,
        title=_("Change venue “%(venue)s”") % {"venue": venue},
        cancel_url=venue.get_absolute_url(),
    )


def venue_day(request: HttpRequest, pk: int) -> HttpResponse:
    venue = _venue(request, pk)
    date = _date_param(request)
    day, rows = selectors.venue_day(user=request.user, venue=venue, date=date)
    for row in rows:
        for booking in row.bookings:
            booking.visible = selectors.booking_visible(request.user, booking)
    return render(
        request,
        "venues/venue_day.html",
        {
            "venue": venue,
            "day": day,
            "rows": rows,
            "previous": date - datetime.timedelta(days=1),
            "next": date + datetime.timedelta(days=1),
        },
    )


def _feed_token(room: Room) -> str:
    return salted_hmac("venues.room-feed", str(room.pk)).hexdigest()[:32]


def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    given = _date_param(request, "week")
    monday = given - datetime.timedelta(days=given.weekday())
    days = selectors.room_week(user=request.user, room=room, monday=monday)
    for day in days:
        for booking in day.bookings:
            booking.visible = selectors.booking_visible(request.user, booking)
    feed_url = request.build_absolute_uri(
        reverse("venues:room_feed", args=[room.pk, _feed_token(room)])
    )
    return render(
        request,
        "venues/room_detail.html",
        {
            "room": room,
            "days": days,
            "monday": monday,
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
            "feed_url": feed_url,
            "has_hours": any(day.hours for day in days),
            "can_book": request.user.has_perm("venues.add_booking"),
            "can_manage": request.user.has_perm("venues.change_room", room),
        },
    )


@login_not_required
def room_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The room's calendar for a phone's calendar app: phone apps cannot sign in, so the URL
    carries a secret per-room token (an HMAC of the room with SECRET_KEY) shown only to
    signed-in users. Holds times, purposes and organization names, nothing personal."""
    try:
        room = Room.objects.select_related("venue").get(pk=pk, venue__is_active=True)
    except Room.DoesNotExist:
        raise Http404 from None
    if not constant_time_compare(token, _feed_token(room)):
        raise Http404
    body = room_calendar(room, selectors.room_feed_bookings(room), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="room-{room.pk}.ics"'
    return response


@permission_required("venues.change_room", fn=_room, raise_exception=True)
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    form = RoomForm(request.POST or None, instance=room)
    if form.is_valid():
        services.room_save(
            room=form.save(commit=False),
            facilities=form.cleaned_data["facilities"],
            acting_user=request.user,
        )
        messages.success(request, _("Room saved."))
        return redirect(room)
    return render(
        request,
        "venues/form_page.html",
        {
            "form": form,
            "title": _("Change room"),
            "cancel_url": room.get_absolute_url(),
        },
    )


@permission_required("venues.add_room", fn=_venue, raise_exception=True)
def room_add(request: HttpRequest, pk: int) -> HttpResponse:
    venue = _venue(request, pk)
    form = RoomForm(request.POST or None)
    form.instance.venue = venue
    if form.is_valid():
        room = services.room_save(
            room=form.save(commit=False),
            facilities=form.cleaned_data["facilities"],
            acting_user=request.user,
        )
        messages.success(request, _("Room added."))
        return redirect(room)
    return render(
        request,
        "venues/form_page.html",
        {
            "form": form,
            "title": _("Add a room to %(venue)s") % {"venue": venue},
            "cancel_url": venue.get_absolute_url(),
        },
    )


@permission_required("venues.change_venue", fn=_venue, raise_exception=True)
def closure_add(request: HttpRequest, pk: int) -> HttpResponse:
    venue = _venue(request, pk)
    form = ClosureForm(request.POST or None)
    form.instance.venue = venue
    if form.is_valid():
        services.closure_add(venue=venue, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Closure recorded."))
        return redirect(venue)
    return render(
        request,
        "venues/form_page.html",
        {
            "form": form,
            "title": _("Close %(venue)s for some days") % {"venue": venue},
            "cancel_url": venue.get_absolute_url(),
        },
    )


# --- Finding and booking ---------------------------------------------------------------------


def free_rooms(request: HttpRequest) -> HttpResponse:
    form = FreeRoomForm(request.GET or None)
    rooms = None
    if form.is_valid():
        data = form.cleaned_data
        rooms = list(
            selectors.free_rooms(
                user=request.user,
                date=data["date"],
                start=data["start_time"],
                end=data["end_time"],
                attendees=data["attendees"],
                facility=data["facility"],
                district=data["district"],
            )[:50]
        )
    return render(request, "venues/free_rooms.html", {"form": form, "rooms": rooms})


@permission_required("venues.add_booking", raise_exception=True)
def booking_create(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    initial = {
        key: request.GET[key] for key in ("date", "start_time", "end_time") if key in request.GET
    }
    if "attendees" in request.GET:
        initial["expected_attendees"] = request.GET["attendees"]
    form = BookingForm(request.POST or None, user=request.user, initial=initial)
    conflicts = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = data.get("organization") or request.user.organization
        common = {
            "room": room,
            "organization": organization,
            "start": data["start"],
            "end": data["end"],
            "purpose": data["purpose"],
            "expected_attendees": data["expected_attendees"],
            "acting_user": request.user,
        }
        try:
            if data["repeat"]:
                result = services.series_create(
                    **common,
                    rule=data["repeat"],
                    until=data["until"],
                    count=data["count"],
                    on_conflict=data["on_conflict"] or "ask",
                )
                if result.series is None:
                    messages.info(request, _("Nothing was booked."))
                    return redirect(room)
                messages.success(
                    request,
                    _("%(count)d dates booked.") % {"count": len(result.bookings)}
                    + (
                        " "
                        + _("Skipped: %(dates)s.")
                        % {"dates": "、".join(f"{o.date:%Y-%m-%d}" for o in result.conflicts)}
                        if result.conflicts
                        else ""
                    ),
                )
                return redirect(f"{room.get_absolute_url()}?week={data['date']:%Y-%m-%d}")
            booking = services.booking_create(**common)
        except SeriesConflict as exc:
            conflicts = exc.occurrences
            form.add_error(None, exc.message)
        except BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if booking.status == "approved":
                messages.success(request, _("Booked: %(booking)s.") % {"booking": booking})
            else:
                messages.success(
                    request,
                    _("Requested: %(booking)s. The venue will approve it.") % {"booking": booking},
                )
            return redirect(booking)
    return render(
        request,
        "venues/booking_form.html",
        {"form": form, "room": room, "occurrences": conflicts},
    )


# --- Bookings --------------------------------------------------------------------------------


def booking_list(request: HttpRequest) -> HttpResponse:
    filterset = BookingFilter(request.GET or None, queryset=selectors.bookings_for(request.user))
    page = Paginator(filterset.qs.order_by("-start"), 25).get_page(request.GET.get("page"))
    return render(request, "venues/booking_list.html", {"filter": filterset, "page_obj": page})


def booking_export(request: HttpRequest) -> HttpResponse:
    filterset = BookingFilter(request.GET or None, queryset=selectors.bookings_for(request.user))
    return exports.bookings_xlsx(request, filterset.qs.order_by("-start"))


def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    user = request.user
    try:
        activity = booking.activity
    except Exception:  # the activities app links itself to a booking (or not yet)
        activity = None
    may_change = user.has_perm("venues.change_booking", booking)
    return render(
        request,
        "venues/booking_detail.html",
        {
            "booking": booking,
            "activity": activity,
            "can_decide": user.has_perm("venues.approve_booking", booking),
            "can_change": user.has_perm("venues.change_booking", booking) and booking.is_active,
            "can_visitors": user.has_perm("venues.change_booking", booking)
            and booking.status == "approved"
            and booking.start <= timezone.now(),
            "cancel_form": CancelForm(),
            "reject_form": RejectForm(),
            "visitors_form": VisitorsForm(initial={"visitors": booking.visitors}),
            # who, when, what changed: for those who may change the booking
            "history_entries": change_history(booking) if may_change else None,
            "history_limit": HISTORY_LIMIT,
        },
    )


@permission_required("venues.change_booking", fn=_booking, raise_exception=True)
def booking_change(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
    form = BookingChangeForm(
        request.POST or None,
        in_series=booking.series_id is not None,
        initial={
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "purpose": booking.purpose,
            "expected_attendees": booking.expected_attendees,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = data.get("scope") or Scope.ONE
        try:
            if scope == Scope.ONE:
                services.booking_update(
                    booking=booking,
                    start=data["start"],
                    end=data["end"],
                    purpose=data["purpose"],
                    expected_attendees=data["expected_attendees"],
                    acting_user=request.user,
                )
                changed = 1
            else:
                changed = services.series_change(
                    booking=booking,
                    scope=scope,
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    purpose=data["purpose"],
                    expected_attendees=data["expected_attendees"],
                    acting_user=request.user,
                )
        except BookingError as exc:
            field = {"start": "start_time", "end": "end_time"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("%(count)d bookings changed.") % {"count": changed})
            return redirect(booking)
    return render(
        request,
        "venues/form_page.html",
        {
            "form": form,
            "title": _("Change booking “%(booking)s”") % {"booking": booking},
            "cancel_url": booking.get_absolute_url(),
        },
    )


@require_POST
@permission_required("venues.change_booking", fn=_booking, raise_exception=True)
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    form = CancelForm(request.POST)
    scope = form.cleaned_data["scope"] if form.is_valid() else Scope.ONE
    try:
        count = services.booking_cancel(booking=booking, acting_user=request.user, scope=scope)
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d bookings cancelled.") % {"count": count})
    return redirect(booking)


@require_POST
@permission_required("venues.approve_booking", fn=_booking, raise_exception=True)
def booking_approve(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    try:
        services.booking_approve(booking=booking, acting_user=request.user)
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Approved: %(booking)s.") % {"booking": booking})
    return redirect(request.POST.get("next") == "queue" and "venues:approvals" or booking)


@require_POST
@permission_required("venues.approve_booking", fn=_booking, raise_exception=True)
def booking_reject(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reason for rejecting: please give a reason."))
        return redirect(booking)
    try:
        services.booking_reject(
            booking=booking, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rejected: %(booking)s.") % {"booking": booking})
    return redirect(request.POST.get("next") == "queue" and "venues:approvals" or booking)


@require_POST
@permission_required("venues.change_booking", fn=_booking, raise_exception=True)
def booking_visitors(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    form = VisitorsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Visitors: enter a whole number, 0 or more."))
        return redirect(booking)
    try:
        services.booking_set_visitors(
            booking=booking, visitors=form.cleaned_data["visitors"], acting_user=request.user
        )
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Visitors recorded."))
    return redirect(booking)


@permission_required("venues.view_approvals", raise_exception=True)
def approvals(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.pending_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "venues/approvals.html", {"page_obj": page, "reject_form": RejectForm()})


# --- Statistics ------------------------------------------------------------------------------


def _stats(request):
    years = selectors.stats_years()
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        year = years[0]
    filterset = VenueFilter(request.GET or None, queryset=selectors.venues_for(request.user))
    rows = selectors.venue_stats(user=request.user, year=year, venues=filterset.qs)
    return year, years, filterset, rows


def stats(request: HttpRequest) -> HttpResponse:
    year, years, filterset, rows = _stats(request)
    totals = {
        "bookings": sum(r.bookings for r in rows),
        "shared_uses": sum(r.shared_uses for r in rows),
        "visitors": sum(r.visitors for r in rows),
    }
    return render(
        request,
        "venues/stats.html",
        {
            "year": year,
            "years": years,
            "filter": filterset,
            "rows": rows,
            "totals": totals,
            "shared_since_2020": selectors.shared_use_count(),
        },
    )


def stats_export(request: HttpRequest) -> HttpResponse:
    year, _years, _filterset, rows = _stats(request)
    return exports.stats_xlsx(request, year, rows)
