"""Thin views of /activities/: parse, call a service or selector, message, redirect."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms import modelformset_factory
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from activities import exports, selectors, services
from activities.filters import ActivityFilter
from activities.forms import (
    ActivityForm,
    AttachmentForm,
    ComplianceFilterForm,
    ContestEntryForm,
    ContestForm,
    JudgeScoreForm,
    LectureTeamForm,
    MeetingLogForm,
    RequiredFrequencyForm,
    TrainingSessionForm,
)
from activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Attachment,
    Attendance,
    AttendanceStatus,
    Contest,
    ContestEntry,
    LectureTeam,
    RequiredFrequency,
    TrainingSession,
    VolunteerHours,
)
from activities.permissions import activity_hosted_in_scope
from activities.services import ActivityError
from core.history import HISTORY_LIMIT, change_history
from members.filters import QuickSelect
from members.models import Member, MemberStatus


def _form_error(form, exc: ActivityError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _attendance_count(**filters):
    """Attendance records of the row's activity, as a correlated subquery: computed for the
    rows read (a page), not by grouping every activity joined with its attendance."""
    rows = (
        Attendance.objects.filter(activity=OuterRef("pk"), **filters)
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _list_queryset(request):
    qs = (
        selectors.activities_for(request.user)
        .annotate(
            present_count=_attendance_count(status=AttendanceStatus.PRESENT),
            expected_count=_attendance_count(),
        )
        .order_by("-start", "-pk")
    )
    return ActivityFilter(request.GET or None, queryset=qs, request=request)


class ActivityListView(PermissionRequiredMixin, ListView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_list.html"
    paginate_by = 25
    context_object_name = "activities"

    def get_queryset(self):
        self.filterset = _list_queryset(self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The organization filter lists every organization (hundreds; thousands at --scale):
        # options written in Python, not one template render per option.
        field = self.filterset.form.fields["organization"]
        field.widget = QuickSelect(attrs=field.widget.attrs)
        field.widget.choices = field.choices
        context["filter"] = self.filterset
        context["query"] = self.request.GET.urlencode()
        return context


class ActivityCalendarView(PermissionRequiredMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        try:
            year, month = (int(p) for p in self.request.GET.get("month", "").split("-"))
            first = datetime.date(year, month, 1)
        except ValueError:
            first = today.replace(day=1)
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


class ActivityObjectMixin:
    """The activity through the selector: another organization's activity is a 404."""

    def get_object(self, queryset=None):
        if not hasattr(self, "_activity"):
            self._activity = selectors.get_activity_for(self.request.user, self.kwargs["pk"])
        return self._activity

    def get_permission_object(self):
        return self.get_object()


class ActivityDetailView(ActivityObjectMixin, PermissionRequiredMixin, DetailView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_detail.html"
    context_object_name = "activity"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.object
        attendances = list(
            activity.attendances.select_related("member", "member__organization").order_by(
                "member__name"
            )
        )
        present = sum(1 for a in attendances if a.status == AttendanceStatus.PRESENT)
        excused = sum(1 for a in attendances if a.status == AttendanceStatus.EXCUSED)
        context.update(
            attendances=attendances,
            rate=selectors.ParticipationRate(
                expected=len(attendances),
                present=present,
                excused=excused,
                absent=len(attendances) - present - excused,
            ),
            attachments=list(activity.attachments.all()),
            attachment_form=AttachmentForm(),
            hours=list(activity.volunteer_hours.select_related("member")),
            can_change=self.request.user.has_perm("activities.change_activity", activity),
            can_mark=self.request.user.has_perm("activities.mark_attendance", activity),
        )
        # change history (修改记录): for staff and the hosts' secretaries, cancelled or not
        user = self.request.user
        if user.is_bureau_staff or activity_hosted_in_scope(user, activity):
            context.update(history_entries=change_history(activity), history_limit=HISTORY_LIMIT)
        return context


class ActivityCreateView(PermissionRequiredMixin, View):
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
                _form_error(form, exc)
            else:
                messages.success(request, _("The activity was saved."))
                return redirect(activity)
        return render(request, self.template_name, {"form": form})


class ActivityUpdateView(ActivityObjectMixin, PermissionRequiredMixin, View):
    permission_required = "activities.change_activity"
    template_name = "activities/activity_form.html"

    def get(self, request, pk):
        activity = self.get_object()
        form = ActivityForm(instance=activity, user=request.user)
        return render(request, self.template_name, {"form": form, "activity": activity})

    def post(self, request, pk):
        activity = self.get_object()
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
                _form_error(form, exc)
            else:
                messages.success(request, _("The activity was saved."))
                return redirect(activity)
        return render(request, self.template_name, {"form": form, "activity": activity})


class ActivityActionView(ActivityObjectMixin, PermissionRequiredMixin, View):
    """Mark held / cancel (POST only)."""

    permission_required = "activities.change_activity"
    http_method_names = ["post"]

    def post(self, request, pk, action):
        activity = self.get_object()
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
            messages.error(request, str(exc))
        return redirect(activity)


class AttachmentUploadView(ActivityObjectMixin, PermissionRequiredMixin, View):
    permission_required = "activities.change_activity"
    http_method_names = ["post"]

    def post(self, request, pk):
        activity = self.get_object()
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
                messages.error(request, _("Attachment: %(problem)s") % {"problem": exc})
            else:
                messages.success(request, _("The file was attached."))
        else:
            messages.error(request, _("Attachment: choose a photo or PDF file."))
        return redirect(activity)


class AttachmentDownloadView(PermissionRequiredMixin, View):
    permission_required = "activities.view_activity"

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment, pk=pk)
        selectors.get_activity_for(request.user, attachment.activity_id)  # 404 when not visible
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=not attachment.is_image,
            filename=attachment.original_name,
        )
        return response


class AttendanceView(ActivityObjectMixin, PermissionRequiredMixin, View):
    """Mark the whole list at once: present / excused (with reason) / absent."""

    permission_required = "activities.mark_attendance"
    template_name = "activities/attendance_form.html"

    def _rows(self, activity, data=None):
        recorded = {a.member_id: a for a in activity.attendances.all()}
        rows = []
        for member in services.expected_participants(activity).select_related("organization"):
            current = recorded.get(member.pk)
            status = (data or {}).get(f"status_{member.pk}") or (current.status if current else "")
            reason = (data or {}).get(f"reason_{member.pk}") or (
                current.excused_reason if current else ""
            )
            rows.append({"member": member, "status": status, "reason": reason})
        return rows

    def get(self, request, pk):
        activity = self.get_object()
        return render(
            request,
            self.template_name,
            {
                "activity": activity,
                "rows": self._rows(activity),
                "statuses": AttendanceStatus.choices,
            },
        )

    def post(self, request, pk):
        activity = self.get_object()
        rows = self._rows(activity, request.POST)
        entries = [
            (row["member"].pk, row["status"], row["reason"]) for row in rows if row["status"]
        ]
        try:
            services.attendance_record(activity=activity, entries=entries, acting_user=request.user)
        except ActivityError as exc:
            return render(
                request,
                self.template_name,
                {
                    "activity": activity,
                    "rows": rows,
                    "statuses": AttendanceStatus.choices,
                    "error": str(exc),
                },
                status=200,
            )
        messages.success(request, _("Attendance was saved."))
        return redirect(activity)


class VolunteerHoursFormView(ActivityObjectMixin, PermissionRequiredMixin, View):
    permission_required = "activities.change_activity"
    template_name = "activities/hours_form.html"

    def _members(self, activity):
        present = activity.attendances.filter(status=AttendanceStatus.PRESENT).values("member_id")
        members = services.expected_participants(activity)
        if activity.attendances.exists():
            members = members.filter(pk__in=present)
        return list(members)

    def get(self, request, pk):
        activity = self.get_object()
        recorded = {h.member_id: h.hours for h in activity.volunteer_hours.all()}
        rows = [{"member": m, "hours": recorded.get(m.pk, "")} for m in self._members(activity)]
        return render(request, self.template_name, {"activity": activity, "rows": rows})

    def post(self, request, pk):
        activity = self.get_object()
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
                error = str(exc)
            else:
                messages.success(request, _("Volunteer hours were saved."))
                return redirect(activity)
        rows = [{"member": m, "hours": request.POST.get(f"hours_{m.pk}", "")} for m in members]
        return render(
            request, self.template_name, {"activity": activity, "rows": rows, "error": error}
        )


class MeetingLogView(PermissionRequiredMixin, View):
    """The secretary's fast 三会一课 form: type, date, topic, ticks — one step."""

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
        return (
            Member.objects.filter(
                Q(organization=organization)
                | Q(
                    participations__organization=organization, participations__left_on__isnull=True
                ),
                status=MemberStatus.NORMAL,
            )
            .distinct()
            .order_by("name", "pk")
        )

    def _render(self, request, organization, organizations, form):
        return render(
            request,
            self.template_name,
            {"organization": organization, "organizations": organizations, "form": form},
        )

    def get(self, request):
        organization, organizations = self._organization(request)
        form = MeetingLogForm(members=self._members(organization)) if organization else None
        return self._render(request, organization, organizations, form)

    def post(self, request):
        organization, organizations = self._organization(request)
        if organization is None:
            raise Http404
        form = MeetingLogForm(request.POST, members=self._members(organization))
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = services.meeting_log(
                    organization=organization,
                    type=data["type"],
                    date=data["date"],
                    topic=data["topic"],
                    present_ids=[m.pk for m in data["present"]],
                    excused={m.pk: data["excused_reason"] for m in data["excused"]},
                    acting_user=request.user,
                )
            except ActivityError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(type)s on %(date)s logged: %(present)s present.")
                    % {
                        "type": activity.get_type_display(),
                        "date": data["date"].strftime("%Y-%m-%d"),
                        "present": len(data["present"]),
                    },
                )
                return redirect(activity)
        return self._render(request, organization, organizations, form)


def _year_and_as_of(request) -> tuple[int, datetime.date]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    as_of = (
        today if year == today.year else datetime.date(year, 12, 31) + datetime.timedelta(days=1)
    )
    return year, as_of


class ComplianceBoardView(PermissionRequiredMixin, TemplateView):
    """Held vs required per organization (a page at a time) and the overdue list."""

    permission_required = "activities.view_compliance"
    template_name = "activities/compliance_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year, as_of = _year_and_as_of(self.request)
        form = ComplianceFilterForm(self.request.GET or None, user=user, initial={"year": year})
        organizations = selectors._compliance_organizations(user)
        if form.is_valid() and form.cleaned_data.get("organization"):
            organizations = organizations.filter(
                path__startswith=form.cleaned_data["organization"].path
            )
        page = Paginator(organizations, 25).get_page(self.request.GET.get("page"))
        types, summaries = selectors.compliance_board(
            list(page.object_list), year=year, as_of=as_of
        )
        labels = dict(ActivityType.choices)
        overdue = [
            item
            for item in selectors.overdue_compliance(user, as_of)
            if item.period_last.year == year
        ]
        if form.is_valid() and form.cleaned_data.get("organization"):
            path = form.cleaned_data["organization"].path
            overdue = [i for i in overdue if i.organization.path.startswith(path)]
        context.update(
            form=form,
            year=year,
            as_of=as_of,
            page_obj=page,
            types=[(t, labels[t]) for t in types],
            rows=[(summary, [summary.cells.get(t) for t in types]) for summary in summaries],
            overdue=overdue[:200],
            overdue_total=len(overdue),
            overdue_organizations=len({i.organization.pk for i in overdue}),
        )
        return context


class OrganizationComplianceView(PermissionRequiredMixin, TemplateView):
    permission_required = "activities.view_compliance"
    template_name = "activities/compliance_organization.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            organization = selectors.organizations_for(self.request.user).get(pk=self.kwargs["pk"])
        except Exception:
            raise Http404 from None
        year, as_of = _year_and_as_of(self.request)
        rows = selectors.compliance(organization=organization, year=year)
        grouped = defaultdict(list)
        for row in rows:
            grouped[(row.activity_type, row.type_label)].append(row)
        context.update(
            organization=organization,
            year=year,
            as_of=as_of,
            grouped=sorted(grouped.items()),
            rate=selectors.participation_rate(
                organization=organization,
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
            ),
        )
        return context


class RequiredFrequencyView(PermissionRequiredMixin, View):
    permission_required = "activities.change_requiredfrequency"
    template_name = "activities/required_frequencies.html"
    FormSet = modelformset_factory(
        RequiredFrequency, form=RequiredFrequencyForm, extra=1, can_delete=True
    )

    def get(self, request):
        return render(request, self.template_name, {"formset": self.FormSet()})

    def post(self, request):
        formset = self.FormSet(request.POST)
        if formset.is_valid():
            for form in formset.forms:
                if not form.has_changed() and not form.instance.pk:
                    continue
                if form.cleaned_data.get("DELETE") and form.instance.pk:
                    services.required_frequency_delete(item=form.instance, acting_user=request.user)
                    continue
                if form.cleaned_data:
                    services.required_frequency_save(
                        item=form.instance if form.instance.pk else None,
                        acting_user=request.user,
                        **{
                            k: form.cleaned_data[k]
                            for k in ("organization_kind", "activity_type", "period", "times")
                        },
                    )
            messages.success(request, _("The required frequencies were saved."))
            return redirect("activities:requirements")
        return render(request, self.template_name, {"formset": formset})


class TrainingListView(PermissionRequiredMixin, ListView):
    permission_required = "activities.view_training"
    template_name = "activities/training_list.html"
    paginate_by = 25
    context_object_name = "sessions"

    def get_queryset(self):
        qs = TrainingSession.objects.select_related("organization").annotate(
            trainee_count=Count("trainees")
        )
        if self.request.user.is_secretary:
            qs = qs.filter(organization__path__startswith=self.request.user.organization.path)
        return qs.order_by("-date", "pk")


class TrainingCreateView(PermissionRequiredMixin, View):
    permission_required = "activities.add_trainingsession"
    template_name = "activities/simple_form.html"

    def get(self, request):
        form = TrainingSessionForm(user=request.user)
        return render(
            request, self.template_name, {"form": form, "title": _("New training session")}
        )

    def post(self, request):
        form = TrainingSessionForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            trainees = data.pop("trainees")
            try:
                services.training_create(acting_user=request.user, trainees=trainees, **data)
            except ActivityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The training session was saved."))
                return redirect("activities:training")
        return render(
            request, self.template_name, {"form": form, "title": _("New training session")}
        )


def _training_for(user, pk) -> TrainingSession:
    """A training session as the list scopes it: a secretary's subtree, all for the others;
    another organization's session is a 404."""
    qs = TrainingSession.objects.select_related("organization", "activity")
    if user.is_secretary:
        qs = qs.filter(organization__path__startswith=user.organization.path)
    return get_object_or_404(qs, pk=pk)


class TrainingObjectMixin:
    def get_object(self):
        if not hasattr(self, "_session"):
            self._session = _training_for(self.request.user, self.kwargs["pk"])
        return self._session

    def get_permission_object(self):
        return self.get_object()


class TrainingDetailView(TrainingObjectMixin, PermissionRequiredMixin, View):
    permission_required = "activities.view_training"
    template_name = "activities/training_detail.html"

    def get(self, request, pk):
        session = self.get_object()
        trainees = list(
            session.trainees.select_related("organization").order_by("organization__path", "name")
        )
        return render(
            request,
            self.template_name,
            {
                "session": session,
                "trainees": trainees,
                "can_change": request.user.has_perm("activities.change_trainingsession", session),
            },
        )


class TrainingUpdateView(TrainingObjectMixin, PermissionRequiredMixin, View):
    permission_required = "activities.change_trainingsession"
    template_name = "activities/simple_form.html"

    def _render(self, request, form):
        session = self.get_object()
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "title": _("Change training session “%(title)s”") % {"title": session.title},
                "cancel_url": reverse("activities:training_detail", args=[session.pk]),
            },
        )

    def get(self, request, pk):
        return self._render(
            request, TrainingSessionForm(instance=self.get_object(), user=request.user)
        )

    def post(self, request, pk):
        session = self.get_object()
        form = TrainingSessionForm(
            request.POST,
            instance=TrainingSession.objects.get(pk=session.pk),
            user=request.user,
        )
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            trainees = data.pop("trainees")
            try:
                services.training_update(
                    session=session, acting_user=request.user, trainees=trainees, **data
                )
            except ActivityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The training session was saved."))
                return redirect("activities:training_detail", pk=session.pk)
        return self._render(request, form)


class ContestListView(PermissionRequiredMixin, View):
    permission_required = "activities.view_training"
    template_name = "activities/contest_list.html"

    def _render(self, request, form):
        contests = Contest.objects.select_related("organization").annotate(
            entry_count=Count("entries")
        )
        return render(request, self.template_name, {"contests": contests, "form": form})

    def get(self, request):
        form = (
            ContestForm(user=request.user)
            if request.user.has_perm("activities.change_contest")
            else None
        )
        return self._render(request, form)

    def post(self, request):
        if not request.user.has_perm("activities.change_contest"):
            raise PermissionDenied
        form = ContestForm(request.POST, user=request.user)
        if form.is_valid():
            contest = services.contest_create(acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("The contest was created."))
            return redirect("activities:contest", pk=contest.pk)
        return self._render(request, form)


class ContestDetailView(PermissionRequiredMixin, View):
    permission_required = "activities.view_training"
    template_name = "activities/contest_detail.html"

    def _render(self, request, contest, entry_form=None, score_form=None):
        can_change = request.user.has_perm("activities.change_contest")
        return render(
            request,
            self.template_name,
            {
                "contest": contest,
                "ranking": selectors.contest_ranking(contest),
                "can_change": can_change,
                "entry_form": entry_form
                or (ContestEntryForm(user=request.user) if can_change else None),
                "score_form": score_form
                or (JudgeScoreForm(contest=contest) if can_change else None),
            },
        )

    def get(self, request, pk):
        return self._render(request, get_object_or_404(Contest, pk=pk))

    def post(self, request, pk):
        contest = get_object_or_404(Contest, pk=pk)
        if not request.user.has_perm("activities.change_contest"):
            raise PermissionDenied
        if "judge" in request.POST:
            form = JudgeScoreForm(request.POST, contest=contest)
            if form.is_valid():
                try:
                    services.judge_score_record(acting_user=request.user, **form.cleaned_data)
                except ActivityError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(request, _("The score was saved."))
                    return redirect("activities:contest", pk=contest.pk)
            return self._render(request, contest, score_form=form)
        form = ContestEntryForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.contest_entry_add(
                    contest=contest, acting_user=request.user, **form.cleaned_data
                )
            except ActivityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The entry was added."))
                return redirect("activities:contest", pk=contest.pk)
        return self._render(request, contest, entry_form=form)


class ContestEntryUpdateView(PermissionRequiredMixin, View):
    """Correct an entry's lecturer or title (bureau staff, who run the contests)."""

    permission_required = "activities.change_contest"
    template_name = "activities/simple_form.html"

    def _render(self, request, entry, form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "title": _("Change contest entry “%(title)s”") % {"title": entry.title},
                "cancel_url": reverse("activities:contest", args=[entry.contest_id]),
            },
        )

    def _entry(self, pk):
        return get_object_or_404(ContestEntry.objects.select_related("contest", "member"), pk=pk)

    def get(self, request, pk):
        entry = self._entry(pk)
        return self._render(request, entry, ContestEntryForm(instance=entry, user=request.user))

    def post(self, request, pk):
        entry = self._entry(pk)
        form = ContestEntryForm(
            request.POST, instance=ContestEntry.objects.get(pk=entry.pk), user=request.user
        )
        if form.is_valid():
            try:
                services.contest_entry_update(
                    entry=entry,
                    member=form.cleaned_data["member"],
                    title=form.cleaned_data["title"],
                    acting_user=request.user,
                )
            except ActivityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The entry was saved."))
                return redirect("activities:contest", pk=entry.contest_id)
        return self._render(request, entry, form)


class LectureTeamListView(PermissionRequiredMixin, View):
    permission_required = "activities.view_training"
    template_name = "activities/lecture_teams.html"

    def _render(self, request, form):
        teams = LectureTeam.objects.select_related("organization").annotate(
            lecturer_count=Count("members", distinct=True),
            lecture_count=Count(
                "lectures", filter=Q(lectures__status=ActivityStatus.HELD), distinct=True
            ),
        )
        return render(request, self.template_name, {"teams": teams, "form": form})

    def get(self, request):
        can = request.user.has_perm("activities.change_lectureteam")
        return self._render(request, LectureTeamForm(user=request.user) if can else None)

    def post(self, request):
        if not request.user.has_perm("activities.change_lectureteam"):
            raise PermissionDenied
        form = LectureTeamForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            members = data.pop("members")
            services.lecture_team_save(acting_user=request.user, members=members, **data)
            messages.success(request, _("The lecture team was saved."))
            return redirect("activities:lectures")
        return self._render(request, form)


class VolunteerLedgerView(PermissionRequiredMixin, TemplateView):
    """Volunteer hours per member for a year (a page at a time), with the lines behind them."""

    permission_required = "activities.view_activity"
    template_name = "activities/volunteer_ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, _as_of = _year_and_as_of(self.request)
        form = ComplianceFilterForm(
            self.request.GET or None, user=self.request.user, initial={"year": year}
        )
        lines = VolunteerHours.objects.filter(date__year=year)
        user = self.request.user
        if user.is_secretary:
            lines = lines.filter(member__organization__path__startswith=user.organization.path)
        if form.is_valid() and form.cleaned_data.get("organization"):
            lines = lines.filter(
                member__organization__path__startswith=form.cleaned_data["organization"].path
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


class LedgerExportView(PermissionRequiredMixin, View):
    permission_required = "activities.export_activity"

    def get(self, request):
        filterset = _list_queryset(request)
        return exports.activity_ledger(request, filterset)


class AttendanceExportView(PermissionRequiredMixin, View):
    permission_required = "activities.export_activity"

    def get(self, request):
        filterset = ActivityFilter(
            request.GET or None, queryset=selectors.activities_for(request.user), request=request
        )
        return exports.attendance_sheets(request, filterset.qs)


class ActivityAttendanceExportView(ActivityObjectMixin, PermissionRequiredMixin, View):
    permission_required = "activities.export_activity"

    def get(self, request, pk):
        activity = self.get_object()
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
