"""Excel: the activity ledger (活动台账) and attendance sheets, exactly as filtered.

The ledger and the attendance of the filtered list are registered with core.exports (a large
one is written by the job worker); one activity's attendance sheet is small and downloads at
once."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from activities import selectors
from activities.filters import ActivityFilter
from activities.models import (
    ActivityHost,
    ActivityStatus,
    ActivityType,
    Attendance,
    AttendanceStatus,
)
from branches.models import Brand
from core.exports import PreparedExport, register_export
from core.xlsx import Sheet, xlsx_response


def attendance_count(**filters):
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


def activity_filterset(user, query: QueryDict, *, counts: bool = False) -> ActivityFilter:
    """The activity list's FilterSet over what `user` reads (with the attendance counts of the
    ledger when `counts`). The FilterSet asks its request only for the user: a job has no
    request, so it gets a stand-in carrying the user and the filter."""
    qs = selectors.activities_for(user)
    if counts:
        qs = qs.annotate(
            present_count=attendance_count(status=AttendanceStatus.PRESENT),
            expected_count=attendance_count(),
        )
    return ActivityFilter(
        query or None,
        queryset=qs.order_by("-start", "-pk"),
        request=SimpleNamespace(user=user, GET=query),
    )


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


def ledger_sheet(filterset) -> Sheet:
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
    return sheet


@register_export(
    "activities.ledger",
    title=_lazy("Activity ledger"),
    permission="activities.export_activity",
)
def ledger_export(user, query: QueryDict) -> PreparedExport:
    filterset = activity_filterset(user, query, counts=True)
    return PreparedExport(
        filename="activity-ledger.xlsx",
        sheets=lambda: [ledger_sheet(filterset)],
        rows_total=filterset.qs.order_by().count,
        query=query,
    )


def _attendance_of(activities):
    return Attendance.objects.filter(activity__in=activities.values("pk"))


def attendance_sheet(activities, *, filename_hint: str = "") -> Sheet:
    """One row per attendance record of the given activities."""
    qs = (
        _attendance_of(activities)
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
    return sheet


@register_export(
    "activities.attendance",
    title=_lazy("Attendance sheet"),
    permission="activities.export_activity",
)
def attendance_export(user, query: QueryDict) -> PreparedExport:
    """The attendance of every activity of the filtered list."""
    activities = activity_filterset(user, query).qs
    return PreparedExport(
        filename="attendance.xlsx",
        sheets=lambda: [attendance_sheet(activities)],
        rows_total=_attendance_of(activities).count,
        query=query,
    )


def attendance_sheets(request, activities, *, filename_hint: str = ""):
    """One activity's attendance sheet (small: downloads at once)."""
    sheet = attendance_sheet(activities, filename_hint=filename_hint)
    return xlsx_response(
        "attendance.xlsx",
        sheet,
        user=request.user,
        export="activities.attendance",
        query=request.GET,
    )
