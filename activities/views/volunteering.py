"""Pages of volunteering: the hours of one volunteering activity and the members' ledger."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from activities import selectors, services
from activities.forms import ComplianceFilterForm
from activities.models import AttendanceStatus
from activities.services import ActivityError
from activities.views.common import ActivityPageMixin, year_and_as_of
from core.views import PortalPermissionMixin, service_error_message


class VolunteerHoursFormView(ActivityPageMixin, View):
    permission_required = "activities.change_activity"
    template_name = "activities/hours_form.html"

    def _members(self, activity):
        present = activity.attendances.filter(status=AttendanceStatus.PRESENT).values("member_id")
        members = selectors.attendance_candidates(activity, self.request.user)
        if activity.attendances.exists():
            members = members.filter(pk__in=present)
        return list(members)

    def get(self, request, pk):
        activity = self.object
        recorded = {h.member_id: h.hours for h in activity.volunteer_hours.all()}
        rows = [{"member": m, "hours": recorded.get(m.pk, "")} for m in self._members(activity)]
        return render(request, self.template_name, {"activity": activity, "rows": rows})

    def post(self, request, pk):
        activity = self.object
        members = self._members(activity)
        hours, error = {}, ""
        for member in members:
            value = request.POST.get(f"hours_{member.pk}", "").strip()
            if not value:
                continue
            try:
                hours[member.pk] = Decimal(value)
            except InvalidOperation:
                error = _("Hours: %(name)s — enter a number such as 2.5.") % {"name": member.name}
        if not error:
            try:
                services.volunteer_hours_record(
                    activity=activity, hours=hours, acting_user=request.user
                )
            except ActivityError as exc:
                error = service_error_message(exc)
            else:
                messages.success(request, _("Volunteer hours were saved."))
                return redirect(activity)
        rows = [{"member": m, "hours": request.POST.get(f"hours_{m.pk}", "")} for m in members]
        return render(
            request, self.template_name, {"activity": activity, "rows": rows, "error": error}
        )


class VolunteerLedgerView(PortalPermissionMixin, TemplateView):
    """Volunteer hours per member for a year (a page at a time), with the lines behind them."""

    permission_required = "activities.view_activity"
    template_name = "activities/volunteer_ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, _as_of = year_and_as_of(self.request)
        form = ComplianceFilterForm(
            self.request.GET or None, user=self.request.user, initial={"year": year}
        )
        organization = form.cleaned_data.get("organization") if form.is_valid() else None
        lines = selectors.volunteer_hours_for(
            self.request.user, year=year, organization=organization
        )
        totals = (
            lines.values("member_id", "member__name", "member__organization__name")
            .annotate(total=Sum("hours"), times=Count("pk"))
            .order_by("-total", "member__name")
        )
        page = Paginator(totals, 25).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            year=year,
            page_obj=page,
            grand_total=lines.aggregate(total=Sum("hours"))["total"] or 0,
        )
        return context
