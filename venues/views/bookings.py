"""Finding a free room, booking it, and a booking's own pages: change, cancel, the venue's
decision, visitors, the approval queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.history import HISTORY_LIMIT, change_history
from core.job_views import deliver_export
from core.views import (
    ActionView,
    FormPageView,
    PortalPermissionMixin,
    add_service_error,
    service_error_message,
)
from venues import selectors, services
from venues.filters import BookingFilter
from venues.forms import (
    BookingChangeForm,
    BookingForm,
    CancelForm,
    FreeRoomForm,
    RejectForm,
    VisitorsForm,
)
from venues.models import Room
from venues.services import BookingError, Decision, Scope, SeriesConflict
from venues.views.common import (
    BookingObjectMixin,
    RoomObjectMixin,
)

# --- Finding and booking ---------------------------------------------------------------------


class FreeRoomsView(PortalPermissionMixin, TemplateView):
    permission_required = "venues.view_venue"
    template_name = "venues/free_rooms.html"

    def get_context_data(self, **kwargs):
        form = FreeRoomForm(self.request.GET or None)
        rooms = None
        if form.is_valid():
            data = form.cleaned_data
            rooms = list(
                selectors.free_rooms(
                    user=self.request.user,
                    date=data["date"],
                    start=data["start_time"],
                    end=data["end_time"],
                    attendees=data["attendees"],
                    facility=data["facility"],
                    district=data["district"],
                )[:50]
            )
        return super().get_context_data(form=form, rooms=rooms, **kwargs)


class BookingCreateView(RoomObjectMixin, View):
    """Book a room once or as a series (the form asks what to do with dates in the way)."""

    permission_required = "venues.add_booking"
    template_name = "venues/booking_form.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.page(request)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.page(request)

    def page(self, request: HttpRequest) -> HttpResponse:
        room = self.object
        initial = {
            key: request.GET[key]
            for key in ("date", "start_time", "end_time")
            if key in request.GET
        }
        if "attendees" in request.GET:
            initial["expected_attendees"] = request.GET["attendees"]
        form = BookingForm(request.POST or None, user=request.user, initial=initial)
        conflicts = None
        if request.method == "POST" and form.is_valid():
            try:
                return self.book(request, room, form.cleaned_data)
            except SeriesConflict as exc:
                conflicts = exc.occurrences
                form.add_error(None, exc.message)
            except BookingError as exc:
                add_service_error(form, exc)
        return render(
            request, self.template_name, {"form": form, "room": room, "occurrences": conflicts}
        )

    def book(self, request: HttpRequest, room: Room, data: dict) -> HttpResponse:
        common = {
            "room": room,
            "organization": data.get("organization") or request.user.organization,
            "start": data["start"],
            "end": data["end"],
            "purpose": data["purpose"],
            "expected_attendees": data["expected_attendees"],
            "acting_user": request.user,
        }
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
        if booking.status == "approved":
            messages.success(request, _("Booked: %(booking)s.") % {"booking": booking})
        else:
            messages.success(
                request,
                _("Requested: %(booking)s. The venue will approve it.") % {"booking": booking},
            )
        return redirect(booking)


# --- Bookings --------------------------------------------------------------------------------


class BookingListView(PortalPermissionMixin, TemplateView):
    permission_required = "venues.view_booking"
    template_name = "venues/booking_list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        filterset = BookingFilter(
            request.GET or None, queryset=selectors.bookings_for(request.user)
        )
        page = Paginator(filterset.qs.order_by("-start"), 25).get_page(request.GET.get("page"))
        return super().get_context_data(filter=filterset, page_obj=page, **kwargs)


class BookingExportView(PortalPermissionMixin, View):
    permission_required = "venues.view_booking"

    def get(self, request: HttpRequest) -> HttpResponse:
        # venues.exports.bookings_export: the list as filtered; a large one becomes a job.
        return deliver_export(request, "venues.bookings")


class BookingDetailView(BookingObjectMixin, TemplateView):
    permission_required = "venues.view_booking"
    template_name = "venues/booking_detail.html"

    def get_context_data(self, **kwargs):
        booking, user = self.object, self.request.user
        try:
            activity = booking.activity  # activities.Activity links itself to a booking
        except ObjectDoesNotExist:  # no activity for this booking (yet)
            activity = None
        may_change = user.has_perm("venues.change_booking", booking)
        return super().get_context_data(
            booking=booking,
            activity=activity,
            can_decide=user.has_perm("venues.approve_booking", booking),
            series_pending=(
                services.series_pending_counts([booking.series_id]).get(booking.series_id, 0)
                if booking.series_id
                else 0
            ),
            can_change=may_change and booking.is_active,
            can_visitors=may_change
            and booking.status == "approved"
            and booking.start <= timezone.now(),
            cancel_form=CancelForm(),
            reject_form=RejectForm(),
            visitors_form=VisitorsForm(initial={"visitors": booking.visitors}),
            # who, when, what changed: for those who may change the booking
            history_entries=change_history(booking) if may_change else None,
            history_limit=HISTORY_LIMIT,
            **kwargs,
        )


class BookingChangeView(BookingObjectMixin, FormPageView):
    """Change one booking, or move this and the following / all occurrences of its series."""

    permission_required = "venues.change_booking"
    form_class = BookingChangeForm

    def get_form_kwargs(self):
        booking = self.object
        start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
        return {
            **super().get_form_kwargs(),
            "in_series": booking.series_id is not None,
            "initial": {
                "date": start.date(),
                "start_time": start.time(),
                "end_time": end.time(),
                "purpose": booking.purpose,
                "expected_attendees": booking.expected_attendees,
            },
        }

    def get_title(self) -> str:
        return _("Change booking “%(booking)s”") % {"booking": self.object}

    def form_valid(self, form):
        booking, data = self.object, form.cleaned_data
        scope = data.get("scope") or Scope.ONE
        try:
            if scope == Scope.ONE:
                services.booking_update(
                    booking=booking,
                    start=data["start"],
                    end=data["end"],
                    purpose=data["purpose"],
                    expected_attendees=data["expected_attendees"],
                    acting_user=self.request.user,
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
                    acting_user=self.request.user,
                )
        except BookingError as exc:
            # the service names the slot's "start"/"end"; the form asks for times of day
            field = {"start": "start_time", "end": "end_time"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("%(count)d bookings changed.") % {"count": changed})
        return redirect(booking)


class BookingCancelView(BookingObjectMixin, ActionView):
    permission_required = "venues.change_booking"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        booking = self.object
        form = CancelForm(request.POST)
        scope = form.cleaned_data["scope"] if form.is_valid() else Scope.ONE
        try:
            count = services.booking_cancel(booking=booking, acting_user=request.user, scope=scope)
        except BookingError as exc:
            messages.error(request, service_error_message(exc))
        else:
            messages.success(request, _("%(count)d bookings cancelled.") % {"count": count})
        return redirect(booking)


class BookingDecisionView(BookingObjectMixin, ActionView):
    """The venue's decision on a request, one view for both: the URL says which
    (`as_view(decision=Decision.APPROVE)` for booking_approve, REJECT for booking_reject)."""

    permission_required = "venues.approve_booking"
    decision: str = ""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        booking, decision = self.object, self.decision
        reason = ""
        if decision == Decision.REJECT:
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Reason for rejecting: please give a reason."))
                return redirect(booking)
            reason = form.cleaned_data["reason"]
        try:
            services.booking_decide(
                booking=booking, decision=decision, acting_user=request.user, reason=reason
            )
        except BookingError as exc:
            messages.error(request, service_error_message(exc))
        else:
            done = (
                _("Approved: %(booking)s.")
                if decision == Decision.APPROVE
                else _("Rejected: %(booking)s.")
            )
            messages.success(request, done % {"booking": booking})
        return redirect(request.POST.get("next") == "queue" and "venues:approvals" or booking)


class SeriesDecisionView(BookingObjectMixin, ActionView):
    """Every waiting date of the booking's series decided at once (venues.services.series_decide):
    the dates that cannot be approved are left requested and named by date."""

    permission_required = "venues.approve_booking"
    decision: str = ""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        booking, decision = self.object, self.decision
        back = request.POST.get("next") == "queue" and "venues:approvals" or booking
        if booking.series_id is None:
            messages.error(request, _("This booking is not part of a series."))
            return redirect(back)
        reason = ""
        if decision == Decision.REJECT:
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Reason for rejecting: please give a reason."))
                return redirect(back)
            reason = form.cleaned_data["reason"]
        try:
            result = services.series_decide(
                series=booking.series, decision=decision, acting_user=request.user, reason=reason
            )
        except BookingError as exc:
            messages.error(request, service_error_message(exc))
            return redirect(back)
        if result.decided:
            done = (
                _("Approved %(count)d dates of the series: %(booking)s.")
                if decision == Decision.APPROVE
                else _("Rejected %(count)d dates of the series: %(booking)s.")
            )
            messages.success(request, done % {"count": len(result.decided), "booking": booking})
        for left, problems in result.left:
            messages.warning(
                request,
                _("%(date)s was not approved and still waits: %(problems)s")
                % {
                    "date": timezone.localtime(left.start).strftime("%Y-%m-%d"),
                    "problems": " ".join(problems),
                },
            )
        return redirect(back)


class BookingVisitorsView(BookingObjectMixin, ActionView):
    permission_required = "venues.change_booking"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        booking = self.object
        form = VisitorsForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Visitors: enter a whole number, 0 or more."))
            return redirect(booking)
        try:
            services.booking_set_visitors(
                booking=booking, visitors=form.cleaned_data["visitors"], acting_user=request.user
            )
        except BookingError as exc:
            messages.error(request, service_error_message(exc))
        else:
            messages.success(request, _("Visitors recorded."))
        return redirect(booking)


class ApprovalsView(PortalPermissionMixin, TemplateView):
    permission_required = "venues.view_approvals"
    template_name = "venues/approvals.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.pending_for(self.request.user), 25).get_page(
            self.request.GET.get("page")
        )
        # "Approve all N dates" beside a series' booking: the counts in one query.
        counts = services.series_pending_counts({b.series_id for b in page if b.series_id})
        for booking in page:
            booking.series_pending = counts.get(booking.series_id, 0)
        return super().get_context_data(page_obj=page, reject_form=RejectForm(), **kwargs)
