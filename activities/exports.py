"""Excel: the activity ledger (活动台账) and attendance sheets, exactly as filtered.

The ledger and the attendance of the filtered list are registered with core.exports (a large
one is written by the job worker); one activity's attendance sheet is small and downloads at
once."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from activities import selectors
from activities.filters import ActivityFilter
from activities.forms import ComplianceFilterForm
from activities.models import (
    ActivityHost,
    ActivityStatus,
    ActivityType,
    Attendance,
    AttendanceStatus,
)
from activities.services.points import points_standings
from branches.models import Brand
from core.exports import ExportRefused, PreparedExport, register_export
from core.params import year_param
from core.xlsx import Sheet, download_name, xlsx_response


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


def _filter_year(filterset) -> int | None:
    """The year the filter asks for, if any (the download's name says it)."""
    form = getattr(filterset, "form", None)
    if form is not None and form.is_valid():
        return form.cleaned_data.get("year") or None
    return None


def _when(filterset) -> dict:
    """The download name's "when": the filter's year, else the day of the export."""
    year = _filter_year(filterset)
    return {"year": year} if year else {"day": timezone.localdate()}


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


# The ledger's columns as read, in the sheet's order (co-hosts and the two attendance counts
# are added per chunk), then the key.
LEDGER_FIELDS = (
    "start",
    "end",
    "type",
    "brand",
    "title",
    "organization__name",
    "is_joint",
    "place_text",
    "status",
    "outside_participants",
    "pk",
)
CHUNK = 2000


def _co_hosts_of(activity_ids: list[int]) -> dict[int, str]:
    """activity id → its co-hosting organizations' names in tree order, joined (only joint
    activities have co-hosts; the lead host is the activity's organization)."""
    co_hosts: dict[int, list[str]] = {}
    links = (
        ActivityHost.objects.filter(activity_id__in=activity_ids, is_lead=False, state="accepted")
        .order_by("activity_id", "organization__path")
        .values_list("activity_id", "organization__name")
    )
    for activity_id, name in links:
        co_hosts.setdefault(activity_id, []).append(name)
    return {activity_id: "、".join(names) for activity_id, names in co_hosts.items()}


def _attendance_counts_of(activity_ids: list[int]) -> dict[int, tuple[int, int]]:
    """activity id → (attendance records, present), one grouped query for a chunk."""
    counts = (
        Attendance.objects.filter(activity_id__in=activity_ids)
        .order_by()
        .values("activity_id")
        .annotate(
            expected=Count("pk"),
            present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        )
        .values_list("activity_id", "expected", "present")
    )
    return {activity_id: (expected, present) for activity_id, expected, present in counts}


def ledger_rows(activities) -> Iterator[list]:
    """One row per activity: plain tuples read a chunk at a time (no model instances) in the
    sheet's column order; per chunk, one query for the co-hosts of its joint activities and one
    for its attendance counts; the choice labels translated once per export, not per cell.
    Start and end stay aware datetimes (the exporter writes them in local time)."""
    qs = activities.order_by("start", "pk").values_list(*LEDGER_FIELDS)
    types = {value: str(label) for value, label in ActivityType.choices}
    brands = {value: str(label) for value, label in Brand.choices}
    statuses = {value: str(label) for value, label in ActivityStatus.choices}
    yes, no = _("Yes"), _("No")
    no_counts = (0, 0)

    def flush(chunk: list[tuple]) -> Iterator[list]:
        co_hosts = _co_hosts_of([values[10] for values in chunk if values[6]])
        counts = _attendance_counts_of([values[10] for values in chunk])
        for start, end, kind, brand, title, lead, joint, place, status, outside, pk in chunk:
            expected, present = counts.get(pk, no_counts)
            yield [
                start,
                end,
                types.get(kind, kind),
                brands.get(brand, brand),
                title,
                lead,
                co_hosts.get(pk) if joint else None,
                yes if joint else no,
                place,
                statuses.get(status, status),
                expected,
                present,
                outside,
            ]

    chunk: list[tuple] = []
    for values in qs.iterator(chunk_size=CHUNK):
        chunk.append(values)
        if len(chunk) >= CHUNK:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


def ledger_sheet(filterset) -> Sheet:
    """One row per activity of the filtered list (the same FilterSet as the page)."""
    return Sheet(
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
        rows=ledger_rows(filterset.qs),
        widths=[18, 18, 14, 12, 36, 28, 36, 8, 24, 10, 10, 10, 12],
    )


@register_export(
    "activities.ledger",
    title=_lazy("Activity ledger"),
    permission="activities.export_activity",
)
def ledger_export(user, query: QueryDict) -> PreparedExport:
    filterset = activity_filterset(user, query)
    return PreparedExport(
        filename=download_name(_("Activity ledger"), **_when(filterset)),
        sheets=lambda: [ledger_sheet(filterset)],
        rows_total=filterset.qs.order_by().count,
        query=query,
    )


def _attendance_of(activities, user):
    """The attendance records of `activities` that `user` may read: a liaison's and a
    secretary's only of the people in their scope (selectors.attendance_for)."""
    return selectors.attendance_for(user, activities)


def attendance_sheet(activities, *, user, filename_hint: str = "") -> Sheet:
    """One row per attendance record of the given activities (the people `user` may read)."""
    qs = (
        _attendance_of(activities, user)
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
    filterset = activity_filterset(user, query)
    activities = filterset.qs
    return PreparedExport(
        filename=download_name(_("Attendance sheet"), **_when(filterset)),
        sheets=lambda: [attendance_sheet(activities, user=user)],
        rows_total=_attendance_of(activities, user).count,
        query=query,
    )


def attendance_sheets(request, activities, *, filename_hint: str = ""):
    """One activity's attendance sheet (small: downloads at once)."""
    sheet = attendance_sheet(activities, user=request.user, filename_hint=filename_hint)
    return xlsx_response(
        download_name(_("Attendance sheet"), detail=filename_hint, day=timezone.localdate()),
        sheet,
        user=request.user,
        export="activities.attendance",
        query=request.GET,
    )


# --- Volunteer points (红色积分) ----------------------------------------------------------------


@register_export(
    "activities.points", title=_lazy("Volunteer points"), permission="activities.export_points"
)
def points_export(user, query: QueryDict) -> PreparedExport:
    """The points page as a workbook: per member the rank in the organization, points earned
    and exchanged in the year and the balance, filtered (?year=, ?organization=) and scoped as
    the page is."""
    year = year_param(query)
    form = ComplianceFilterForm(query or None, user=user, initial={"year": year})
    valid = form.is_valid()
    if query.get("organization") and not valid:
        raise ExportRefused(_("You may not export this organization."))
    # As the page: a filter that does not validate (a bad month, an unknown value) is ignored.
    organization = form.cleaned_data.get("organization") if valid else None
    rows = points_standings(user, year=year, organization=organization)

    def lines():
        for row in rows.iterator(chunk_size=CHUNK):
            yield [
                row["member__organization__name"],
                row["rank"],
                row["member__name"],
                row["earned"],
                row["exchanged"],
                row["balance"],
            ]

    def sheets():
        return [
            Sheet(
                title=_("Volunteer points"),
                caption=_("Volunteer points %(year)s (exported %(when)s)")
                % {"year": year, "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
                headers=[
                    _("Organization"),
                    _("Rank in the organization"),
                    _("Party member"),
                    _("Points earned this year"),
                    _("Points exchanged this year"),
                    _("Points balance"),
                ],
                rows=lines(),
                widths=[28, 8, 10, 12, 12, 12],
                number_formats={3: "0.0", 4: "0.0", 5: "0.0"},
            )
        ]

    return PreparedExport(
        filename=download_name(_("Volunteer points"), year=year),
        sheets=sheets,
        rows_total=lambda: rows.order_by().values("member_id").distinct().count(),
        query=query,
    )
