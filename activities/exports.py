"""Excel: the activity ledger (活动台账) and attendance sheets, exactly as filtered."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    ActivityHost,
    ActivityStatus,
    ActivityType,
    Attendance,
    AttendanceStatus,
)
from branches.models import Brand
from core.xlsx import Sheet, xlsx_response


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


LEDGER_FIELDS = (
    "pk",
    "start",
    "end",
    "type",
    "brand",
    "title",
    "organization__name",
    "is_joint",
    "place_text",
    "status",
    "expected_count",
    "present_count",
    "outside_participants",
)
CHUNK = 2000


def _hosts_of(activity_ids: list[int]) -> dict[int, list[str]]:
    """activity id → host names, lead first, then by tree order (as on the activity page)."""
    hosts: dict[int, list[str]] = {}
    links = (
        ActivityHost.objects.filter(activity_id__in=activity_ids)
        .order_by("activity_id", "-is_lead", "organization__path")
        .values_list("activity_id", "organization__name")
    )
    for activity_id, name in links:
        hosts.setdefault(activity_id, []).append(name)
    return hosts


def activity_ledger(request, filterset):
    """One row per activity of the filtered list (the same FilterSet as the page).

    Plain rows read a chunk at a time (no model instances), the hosts of a chunk in one query,
    and the choice labels translated once per export rather than once per cell.
    """
    qs = filterset.qs.order_by("start", "pk").values_list(*LEDGER_FIELDS)
    types = {value: str(label) for value, label in ActivityType.choices}
    brands = {value: str(label) for value, label in Brand.choices}
    statuses = {value: str(label) for value, label in ActivityStatus.choices}
    yes, no = _("Yes"), _("No")

    def chunks():
        chunk = []
        for row in qs.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def rows():
        for chunk in chunks():
            hosts_by_activity = _hosts_of([row[0] for row in chunk])
            for (
                pk,
                start,
                end,
                activity_type,
                brand,
                title,
                lead_name,
                is_joint,
                place_text,
                status,
                expected_count,
                present_count,
                outside_participants,
            ) in chunk:
                hosts = hosts_by_activity.get(pk, [])
                yield [
                    start,  # aware; the exporter writes it in local time
                    end,
                    types.get(activity_type, activity_type),
                    brands.get(brand, brand) if brand else "",
                    title,
                    hosts[0] if hosts else lead_name,
                    "、".join(hosts[1:]),
                    yes if is_joint else no,
                    place_text,
                    statuses.get(status, status),
                    expected_count,
                    present_count,
                    outside_participants,
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
    return xlsx_response(
        "activity-ledger.xlsx",
        sheet,
        user=request.user,
        export="activities.ledger",
        query=request.GET,
    )


def attendance_sheets(request, activities, *, filename_hint: str = ""):
    """One row per attendance record of the given activities."""
    qs = (
        Attendance.objects.filter(activity__in=activities.values("pk"))
        .order_by("activity__start", "activity_id", "member__name")
        .values_list(
            "activity__start",
            "activity__type",
            "activity__title",
            "member__name",
            "member__organization__name",
            "status",
            "excused_reason",
        )
    )
    types = {value: str(label) for value, label in ActivityType.choices}
    statuses = {value: str(label) for value, label in AttendanceStatus.choices}

    def rows():
        for start, activity_type, title, name, organization, status, reason in qs.iterator(
            chunk_size=CHUNK
        ):
            yield [
                start,  # aware; the exporter writes it in local time
                types.get(activity_type, activity_type),
                title,
                name,
                organization,
                statuses.get(status, status),
                reason,
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
    return xlsx_response(
        "attendance.xlsx",
        sheet,
        user=request.user,
        export="activities.attendance",
        query=request.GET,
    )
