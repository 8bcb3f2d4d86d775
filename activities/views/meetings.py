"""Pages of organizational life: the activity ledger and calendar, one activity (detail, form,
held/cancel, attachments, attendance), the secretary's meeting log and the ledger exports."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from activities import exports, selectors, services
from activities.attendance_view_helpers import attendance_counts, attendance_groups, status_choices
from activities.filters import ActivityFilter
from activities.forms import ActivityForm, AttachmentForm, MeetingLogForm
from activities.models import Activity, ActivityType, AttendanceStatus, HostState
from activities.permissions import activity_hosted_in_scope
from activities.services import ActivityError
from activities.services.meeting_record import meeting_log_with_record
from activities.views.common import ActivityPageMixin
from core.history import HISTORY_LIMIT, change_history
from core.job_views import deliver_export
from core.paginators import CountCachedPaginator
from core.params import month_param
from core.uploads import open_stored
from core.views import PortalPermissionMixin, add_service_error, service_error_message
from members.models import Member, MemberStatus


def _list_queryset(request):
    qs = (
        selectors.activities_for(request.user)
        .annotate(
            present_count=exports.attendance_count(status=AttendanceStatus.PRESENT),
            expected_count=exports.attendance_count(),
        )
        .order_by("-start", "-pk")
    )
    return ActivityFilter(request.GET or None, queryset=qs, request=request)


class ActivityListView(PortalPermissionMixin, ListView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_list.html"
    paginate_by = 25
    context_object_name = "activities"

    def get_queryset(self):
        self.filterset = _list_queryset(self.request)
        return self.filterset.qs

    def get_paginator(self, queryset, per_page, **kwargs):
        # The total is cached until an activity, a host link or an organization changes.
        return CountCachedPaginator(queryset, per_page, generation=selectors.ACTIVITY_ROWS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The organization filter is a search field (core.widgets.SearchInput): no options.
        context["filter"] = self.filterset
        context["query"] = self.request.GET.urlencode()
        return context


class ActivityCalendarView(PortalPermissionMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        first = month_param(self.request.GET, request=self.request)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        filterset = ActivityFilter(
            self.request.GET or None,
            queryset=selectors.activities_for(self.request.user),
            request=self.request,
        )
        start, end = selectors.local_range(first, last)
        by_day = defaultdict(list)
        for activity in filterset.qs.filter(start__gte=start, start__lt=end).order_by("start")[
            :500
        ]:
            by_day[timezone.localdate(activity.start)].append(activity)
        weeks = [
            [(day, by_day.get(day, []), day.month == first.month) for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(
                first.year, first.month
            )
        ]
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = last + datetime.timedelta(days=1)
        context.update(
            filter=filterset,
            weeks=weeks,
            month=first,
            previous_month=f"{previous:%Y-%m}",
            next_month=f"{following:%Y-%m}",
            today=today,
            weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        )
        return context


class ActivityDetailView(ActivityPageMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.object
        # Only the people in the reader's scope (a liaison's community, a secretary's subtree).
        attendances = list(
            selectors.attendance_for(self.request.user, Activity.objects.filter(pk=activity.pk))
            .select_related("member", "member__organization")
            .order_by("member__name")
        )
        present = sum(1 for a in attendances if a.status == AttendanceStatus.PRESENT)
        excused = sum(1 for a in attendances if a.status == AttendanceStatus.EXCUSED)
        context.update(
            activity=activity,
            attendances=attendances,
            rate=selectors.ParticipationRate(
                expected=len(attendances),
                present=present,
                excused=excused,
                absent=len(attendances) - present - excused,
            ),
            attachments=list(activity.attachments.all()),
            attachment_form=AttachmentForm(),
            hours=list(selectors.activity_hours_for(self.request.user, activity)),
            cohost_asks=[
                link
                for link in activity.host_links.all()
                if link.state == "requested"
                and self.request.user.has_perm("activities.answer_cohost_request", link)
            ],
            can_change=self.request.user.has_perm("activities.change_activity", activity),
            can_mark=self.request.user.has_perm("activities.mark_attendance", activity),
        )
        # change history (修改记录): for staff and the hosts' secretaries, cancelled or not
        user = self.request.user
        if user.is_bureau_staff or activity_hosted_in_scope(user, activity):
            context.update(history_entries=change_history(activity), history_limit=HISTORY_LIMIT)
        return context


class ActivityCreateView(PortalPermissionMixin, View):
    permission_required = "activities.add_activity"
    template_name = "activities/activity_form.html"

    def get(self, request):
        initial = {}
        if request.user.is_secretary:
            initial["organization"] = request.user.organization
        if request.GET.get("type") in ActivityType.values:
            initial["type"] = request.GET["type"]
        form = ActivityForm(user=request.user, initial=initial)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = ActivityForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = services.activity_create(
                    type=data["type"],
                    brand=data["brand"],
                    organization=data["organization"],
                    title=data["title"],
                    start=data["start"],
                    end=data["end"],
                    place_text=data["place_text"],
                    status=data["status"],
                    outside_participants=data["outside_participants"] or 0,
                    agenda=data["agenda"],
                    discussion=data["discussion"],
                    decisions=data["decisions"],
                    co_hosts=list(data["co_hosts"]),
                    room=data.get("room"),
                    expected_attendees=data.get("expected_attendees"),
                    acting_user=request.user,
                )
            except ActivityError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The activity was saved."))
                return redirect(activity)
        return render(request, self.template_name, {"form": form})


class ActivityUpdateView(ActivityPageMixin, View):
    permission_required = "activities.change_activity"
    template_name = "activities/activity_form.html"

    def get(self, request, pk):
        activity = self.object
        form = ActivityForm(instance=activity, user=request.user)
        return render(request, self.template_name, {"form": form, "activity": activity})

    def post(self, request, pk):
        activity = self.object
        form = ActivityForm(
            request.POST, instance=Activity.objects.get(pk=activity.pk), user=request.user
        )
        if form.is_valid():
            data = form.cleaned_data
            changes = {name: data[name] for name in services.UPDATABLE if name in data}
            try:
                services.activity_update(
                    activity=activity,
                    acting_user=request.user,
                    co_hosts=list(data["co_hosts"]),
                    room=data.get("room"),
                    expected_attendees=data.get("expected_attendees"),
                    **changes,
                )
            except ActivityError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The activity was saved."))
                return redirect(activity)
        return render(request, self.template_name, {"form": form, "activity": activity})


class ActivityActionView(ActivityPageMixin, View):
    """Mark held / cancel (POST only)."""

    permission_required = "activities.change_activity"
    http_method_names = ["post"]

    def post(self, request, pk, action):
        activity = self.object
        try:
            if action == "held":
                services.activity_mark_held(activity=activity, acting_user=request.user)
                messages.success(request, _("The activity is marked as held."))
            elif action == "cancel":
                services.activity_cancel(activity=activity, acting_user=request.user)
                messages.success(request, _("The activity was cancelled."))
            else:
                raise Http404
        except ActivityError as exc:
            messages.error(request, service_error_message(exc))
        return redirect(activity)


class AttachmentUploadView(ActivityPageMixin, View):
    permission_required = "activities.change_activity"
    http_method_names = ["post"]

    def post(self, request, pk):
        activity = self.object
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(
                    activity=activity,
                    upload=form.cleaned_data["file"],
                    caption=form.cleaned_data["caption"],
                    acting_user=request.user,
                )
            except ActivityError as exc:
                messages.error(
                    request,
                    _("Attachment: %(problem)s") % {"problem": service_error_message(exc)},
                )
            else:
                messages.success(request, _("The file was attached."))
        else:
            messages.error(request, _("Attachment: choose a photo or PDF file."))
        return redirect(activity)


class AttachmentDownloadView(PortalPermissionMixin, View):
    permission_required = "activities.view_activity"

    def get_object(self):
        return selectors.get_attachment_for(self.request.user, self.kwargs["pk"])

    def get(self, request, pk):
        attachment = self.object
        return FileResponse(
            open_stored(attachment.file, what=f"activity attachment {attachment.pk}"),
            content_type=attachment.content_type,
            as_attachment=not attachment.is_image,
            filename=attachment.original_name,
        )


class AttendanceView(ActivityPageMixin, View):
    """Mark the whole list at once, each member once: present / excused (with reason) /
    absent; in pinyin order, grouped by 党小组, with a search box and a sticky save bar."""

    permission_required = "activities.mark_attendance"
    template_name = "activities/attendance_form.html"

    def _context(self, activity, data=None, error=""):
        members = selectors.attendance_candidates(activity, self.request.user).select_related(
            "organization"
        )
        recorded = {
            member_id: (status, reason)
            for member_id, status, reason in activity.attendances.order_by().values_list(
                "member_id", "status", "excused_reason"
            )
        }
        # "全部出席" first: nothing recorded yet for a meeting that has begun → all present.
        default = (
            AttendanceStatus.PRESENT if not recorded and activity.start <= timezone.now() else ""
        )
        groups = attendance_groups(
            members,
            # Only the hosts that accepted: a member is never grouped under one that was
            # only asked (or declined).
            hosts=[
                link.organization
                for link in activity.host_links.all()
                if link.state == HostState.ACCEPTED
            ],
            recorded=recorded,
            data=data,
            default_status=default,
        )
        return {
            "activity": activity,
            "groups": groups,
            "counts": attendance_counts(groups),
            "statuses": status_choices(),
            "error": error,
        }

    def get(self, request, pk):
        return render(request, self.template_name, self._context(self.object))

    def post(self, request, pk):
        activity = self.object
        context = self._context(activity, request.POST)
        entries = [
            (row.member.pk, row.status, row.reason)
            for group in context["groups"]
            for row in group.rows
            if row.status
        ]
        try:
            services.attendance_record(activity=activity, entries=entries, acting_user=request.user)
        except ActivityError as exc:
            context["error"] = service_error_message(exc)
            return render(request, self.template_name, context)
        messages.success(request, _("Attendance was saved."))
        return redirect(activity)


class MeetingLogView(PortalPermissionMixin, View):
    """The secretary's meeting log on one page: type, date, topic, everyone's attendance
    (present by default, then the exceptions) and, optionally, minutes, photos and the rest."""

    permission_required = "activities.log_meeting"
    template_name = "activities/meeting_log.html"

    def _organization(self, request):
        organizations = selectors.organizations_for(request.user).filter(
            kind__in=["branch", "general_branch", "party_group"]
        )
        pk = request.POST.get("organization") or request.GET.get("organization")
        if pk:
            try:
                return organizations.get(pk=pk), organizations
            except (ValueError, organizations.model.DoesNotExist):
                raise Http404 from None
        if request.user.is_secretary:
            return request.user.organization, organizations
        return None, organizations

    def _members(self, organization):
        # The organization's own roster: who meeting_log marks (expected participants of an
        # activity with this one host).
        return (
            Member.objects.filter(
                Q(organization=organization)
                | Q(
                    participations__organization=organization, participations__left_on__isnull=True
                ),
                status=MemberStatus.NORMAL,
            )
            .distinct()
            .only("pk", "name", "name_initials")
        )

    def _render(self, request, organization, organizations, form):
        context = {"organization": organization, "organizations": organizations, "form": form}
        if form is not None:
            groups = attendance_groups(
                form.members,
                hosts=[organization],
                data=form.data if form.is_bound else None,
                default_status=AttendanceStatus.PRESENT,
            )
            context.update(
                groups=groups, counts=attendance_counts(groups), statuses=status_choices()
            )
        return render(request, self.template_name, context)

    def get(self, request):
        organization, organizations = self._organization(request)
        form = (
            MeetingLogForm(members=self._members(organization), organization=organization)
            if organization
            else None
        )
        return self._render(request, organization, organizations, form)

    def post(self, request):
        organization, organizations = self._organization(request)
        if organization is None:
            raise Http404
        form = MeetingLogForm(
            request.POST,
            request.FILES,
            members=self._members(organization),
            organization=organization,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = meeting_log_with_record(
                    organization=organization,
                    type=data["type"],
                    date=data["date"],
                    topic=data["topic"],
                    present_ids=data["present_ids"],
                    excused=data["excused"],
                    start_time=data["start_time"],
                    place_text=data["place_text"],
                    agenda=data["agenda"],
                    discussion=data["discussion"],
                    decisions=data["decisions"],
                    outside_participants=data["outside_participants"],
                    co_hosts=data["co_hosts"],
                    photos=data["photos"],
                    acting_user=request.user,
                )
            except ActivityError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(type)s on %(date)s logged: %(present)s present.")
                    % {
                        "type": activity.get_type_display(),
                        "date": data["date"].strftime("%Y-%m-%d"),
                        "present": len(data["present_ids"]),
                    },
                )
                return redirect(activity)
        return self._render(request, organization, organizations, form)


class LedgerExportView(PortalPermissionMixin, View):
    permission_required = "activities.export_activity"

    def get(self, request):
        # activities.exports.ledger_export: the list as filtered; a large one becomes a job.
        return deliver_export(request, "activities.ledger")


class AttendanceExportView(PortalPermissionMixin, View):
    permission_required = "activities.export_activity"

    def get(self, request):
        return deliver_export(request, "activities.attendance")


class ActivityAttendanceExportView(ActivityPageMixin, View):
    permission_required = "activities.export_activity"

    def get(self, request, pk):
        activity = self.object
        return exports.attendance_sheets(
            request, Activity.objects.filter(pk=activity.pk), filename_hint=activity.title
        )


def organization_section_context(request, organization) -> dict:
    """The activities section of the organization page (4 queries)."""
    today = timezone.localdate()
    _types, summaries = selectors.compliance_board([organization], year=today.year, as_of=today)
    labels = dict(ActivityType.choices)
    summary = summaries[0]
    return {
        "recent_activities": selectors.recent_activities(organization),
        "section_org": organization,
        "compliance_cells": [
            (labels[t], held, required) for t, (held, required) in summary.cells.items()
        ],
        "compliance_overdue": summary.overdue,
        "compliance_year": today.year,
    }
