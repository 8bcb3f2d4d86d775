"""Excel: the activity ledger (活动台账) and attendance sheets, exactly as filtered."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Attendance
from alliance.services import export_log_record
from alliance.xlsx import Sheet, xlsx_response


def _caption(title: str, filterset) -> str:
    data = getattr(filterset, "form", None)
    parts = [title]
    if data is not None and data.is_valid():
        organization = data.cleaned_data.get("organization")
        year = data.cleaned_data.get("year")
        if organization:
            parts.append(str(organization))
        if year:
            parts.append(_("%(year)s") % {"year": year})
    parts.append(
        _("generated %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    )
    return " · ".join(parts)


def activity_ledger(request, filterset):
    """One row per activity of the filtered list (the same FilterSet as the page)."""
    qs = filterset.qs.order_by("start", "pk")  # hosts are prefetched by activities_for()

    def rows():
        for activity in qs.iterator(chunk_size=500):
            hosts = [link.organization.name for link in activity.host_links.all()]
            yield [
                timezone.localtime(activity.start),
                timezone.localtime(activity.end),
                activity.get_type_display(),
                activity.get_brand_display() if activity.brand else "",
                activity.title,
                hosts[0] if hosts else str(activity.organization),
                "、".join(hosts[1:]),
                _("Yes") if activity.is_joint else _("No"),
                activity.place_text,
                activity.get_status_display(),
                activity.expected_count,
                activity.present_count,
                activity.outside_participants,
            ]

    sheet = Sheet(
        title=_("Activity ledger"),
        caption=_caption(_("Activity ledger"), filterset),
        headers=[
            _("Start"),
            _("End"),
            _("Type"),
            _("Brand"),
            _("Title"),
            _("Lead organization"),
            _("Co-hosting organizations"),
            _("Joint"),
            _("Place"),
            _("Status"),
            _("Expected count"),
            _("Present count"),
            _("Outside participants"),
        ],
        rows=rows(),
        widths=[18, 18, 14, 12, 36, 28, 36, 8, 24, 10, 10, 10, 12],
    )
    response = xlsx_response("activity-ledger.xlsx", sheet)
    export_log_record(
        user=request.user, export="activities.ledger", query=request.GET, rows=response.rows_written
    )
    return response


def attendance_sheets(request, activities, *, filename_hint: str = ""):
    """One row per attendance record of the given activities."""
    qs = (
        Attendance.objects.filter(activity__in=activities.values("pk"))
        .select_related("activity", "member", "member__organization")
        .order_by("activity__start", "activity_id", "member__name")
    )

    def rows():
        for attendance in qs.iterator(chunk_size=1000):
            activity = attendance.activity
            yield [
                timezone.localtime(activity.start),
                activity.get_type_display(),
                activity.title,
                attendance.member.name,
                attendance.member.organization.name,
                attendance.get_status_display(),
                attendance.excused_reason,
            ]

    sheet = Sheet(
        title=_("Attendance"),
        caption=" · ".join(filter(None, [_("Attendance sheet"), filename_hint])),
        headers=[
            _("Start"),
            _("Type"),
            _("Title"),
            _("Party member"),
            _("Organization"),
            _("Attendance"),
            _("Reason for absence"),
        ],
        rows=rows(),
        widths=[18, 14, 36, 12, 28, 10, 20],
    )
    response = xlsx_response("attendance.xlsx", sheet)
    export_log_record(
        user=request.user,
        export="activities.attendance",
        query=request.GET,
        rows=response.rows_written,
    )
    return response
