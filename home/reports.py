"""Reports: the annual statistics workbook (年度统计报表) and the reports page, which lists every
Excel export of the portal with a link to the list page whose filters it uses.

The exports enforce their own scoping; the page only offers those the user may download
(each entry names the permission rule its view checks, or a check for views that scope by
selector alone). An entry whose URL does not exist yet is left out.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from activities.models import Activity, ActivityStatus, ActivityType
from assessment.models import Assessment
from branches.models import Brand, Category, Kind, Organization, Status
from branches.selectors import in_alliance_q
from core.job_views import deliver_export
from core.permissions import is_signed_in
from core.views import PortalPermissionMixin
from core.xlsx import Sheet
from home.cache import current_only
from home.figures import year_range
from home.kpis import DASH, staff_kpis
from members.filters import AGE_BAND_CHOICES
from members.models import Member, MemberCategory, MemberStatus, OrganizationCommendation
from members.selectors import AGE_BANDS, age_range_q
from venues.selectors import venue_stats

FIRST_YEAR = 2020  # the alliance's records start here (shared venue uses "since 2020")


# --- Registry of the portal's Excel exports -----------------------------------------------------


def _has_organization(user) -> bool:
    return bool(getattr(user, "organization_id", None))


def _reads_all_bookings(user) -> bool:
    return bool(user.is_bureau_staff or user.is_supervisor or user.is_viewer)


@dataclass(frozen=True)
class ExportEntry:
    key: str
    title: object  # lazy string
    description: object
    url_name: str  # the export's own URL (it applies the list page's filters itself)
    list_url_name: str | None = None  # the list page with those filters
    permission: str | None = None  # the rule the export view checks
    check: Callable[[object], bool] | None = None  # for views that only scope by selector
    section: object = ""

    def allowed(self, user) -> bool:
        if not is_signed_in(user):
            return False
        if self.permission and not user.has_perm(self.permission):
            return False
        return not (self.check is not None and not self.check(user))

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None

    def list_url(self) -> str | None:
        if not self.list_url_name:
            return None
        try:
            return reverse(self.list_url_name)
        except NoReverseMatch:
            return None


REGISTRY: tuple[ExportEntry, ...] = (
    ExportEntry(
        "organizations",
        gettext_lazy("Organizations"),
        gettext_lazy("The organization list with its warnings, as filtered on the list page."),
        "branches:export",
        "branches:list",
        permission="branches.export_organization",
        section=gettext_lazy("Organizations"),
    ),
    ExportEntry(
        "alliance_registry",
        gettext_lazy("Alliance registry"),
        gettext_lazy("Organizations in the alliance, their hub and the dates they joined."),
        "alliance:registry_export",
        "alliance:registry",
        permission="alliance.view_alliancemembership",
        section=gettext_lazy("Organizations"),
    ),
    ExportEntry(
        "members",
        gettext_lazy("Members"),
        gettext_lazy("The roster as filtered on the list page; ID numbers and phones are masked."),
        "members:export",
        "members:list",
        permission="members.export_member",
        section=gettext_lazy("Members"),
    ),
    ExportEntry(
        "activity_ledger",
        gettext_lazy("Activity ledger"),
        gettext_lazy("Activities and meetings as filtered on the activity list."),
        "activities:export_ledger",
        "activities:list",
        permission="activities.export_activity",
        section=gettext_lazy("Activities"),
    ),
    ExportEntry(
        "attendance",
        gettext_lazy("Attendance"),
        gettext_lazy("Attendance of the filtered activities, one row per member."),
        "activities:export_attendance",
        "activities:list",
        permission="activities.export_activity",
        section=gettext_lazy("Activities"),
    ),
    ExportEntry(
        "bookings",
        gettext_lazy("Venue bookings"),
        gettext_lazy("Bookings as filtered on the booking list (shared use, dates, status)."),
        "venues:bookings_export",
        "venues:bookings",
        check=lambda user: _reads_all_bookings(user) or _has_organization(user),
        section=gettext_lazy("Venues"),
    ),
    ExportEntry(
        "venue_stats",
        gettext_lazy("Venue usage"),
        gettext_lazy("Bookings, shared uses, visitors and utilisation per venue for a year."),
        "venues:stats_export",
        "venues:stats",
        permission="venues.view_stats",
        section=gettext_lazy("Venues"),
    ),
    ExportEntry(
        "needs",
        gettext_lazy("Community needs and claims"),
        gettext_lazy("The two lists and their claims, as filtered on the needs page."),
        "alliance:coordination_export",
        "alliance:need_list",
        permission="alliance.export_coordination",
        section=gettext_lazy("Community coordination"),
    ),
    ExportEntry(
        "assessment_results",
        gettext_lazy("Assessment results"),
        gettext_lazy("Totals, grades and ranks of finalized rounds, filtered by year and grade."),
        "assessment:results_export",
        "assessment:results",
        permission="assessment.view_results",
        section=gettext_lazy("Assessment"),
    ),
)

# Per-object downloads (a round's score sheet, a rubric) are offered on their own pages:
# the reports page links to the list where they are.
PER_OBJECT: tuple[ExportEntry, ...] = (
    ExportEntry(
        "assessment_score_sheets",
        gettext_lazy("Assessment score sheets"),
        gettext_lazy("Each round's score sheet is downloaded from the round's page."),
        "assessment:round_list",
        "assessment:round_list",
        permission="assessment.view_round",
        section=gettext_lazy("Assessment"),
    ),
)


def exports_for(user) -> list[dict]:
    """The exports `user` may download whose views exist, with their URLs."""
    entries = []
    for entry in (*REGISTRY, *PER_OBJECT):
        url = entry.url()
        if url is None or not entry.allowed(user):
            continue
        per_object = entry in PER_OBJECT
        entries.append(
            {
                "entry": entry,
                "url": None if per_object else url,
                "list_url": entry.list_url(),
            }
        )
    return entries


# --- The annual statistics workbook ------------------------------------------------------------

COUNT = "#,##0"
PERCENT = "0.0%"
DECIMAL = "#,##0.0"


def _caption(year: int, title: str, made_at: datetime.datetime) -> str:
    return _("%(year)s annual statistics · %(sheet)s (made %(time)s)") % {
        "year": year,
        "sheet": title,
        "time": timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M"),
    }


def overview_rows(user, year: int) -> list[tuple]:
    """(group, figure, count, share, note) — the 首页's headline figures for `year`."""
    rows = []
    with current_only():  # the figures of the time the workbook says it was made, never kept ones
        groups = staff_kpis(user, year)
    for group in groups:
        for kpi in group.kpis:
            count = kpi.value if kpi.kind == "count" else None
            share = kpi.value if kpi.kind == "percent" else None
            note = kpi.note or ("" if kpi.value is not None else DASH)
            rows.append((str(group.title), str(kpi.label), count, share, note))
    return rows


def organization_rows() -> list[tuple]:
    """Active organizations by district, kind and category, with those in the alliance."""
    rows = (
        Organization.objects.filter(status=Status.ACTIVE)
        .annotate(in_alliance=in_alliance_q())
        .values("district__position", "district__name", "kind", "category")
        .annotate(
            n=Count("pk"),
            alliance=Count("pk", filter=Q(in_alliance=True)),
            directly=Count("pk", filter=Q(directly_managed=True)),
            pilots=Count("pk", filter=Q(pilot_year__isnull=False)),
            demonstration=Count("pk", filter=Q(demonstration_year__isnull=False)),
        )
        .order_by("district__position", "district__name", "kind", "category")
    )
    kinds, categories = dict(Kind.choices), dict(Category.choices)
    return [
        (
            row["district__name"] or _("No district"),
            str(kinds.get(row["kind"], row["kind"])),
            str(categories.get(row["category"], "")) if row["category"] else "",
            row["n"],
            row["alliance"],
            row["directly"],
            row["pilots"],
            row["demonstration"],
        )
        for row in rows
    ]


def member_rows() -> tuple[list[str], list[tuple]]:
    """Members (normal status) by category (rows) and age band (columns), with totals."""
    bands = {band: Count("pk", filter=age_range_q(low, high)) for band, low, high in AGE_BANDS}
    counts = {
        row["category"]: row
        for row in Member.objects.filter(status=MemberStatus.NORMAL)
        .values("category")
        .annotate(total=Count("pk"), aged_70=Count("pk", filter=age_range_q(70, None)), **bands)
        .order_by()
    }
    labels = dict(AGE_BAND_CHOICES)
    headers = [str(labels[band]) for band, _l, _h in AGE_BANDS]
    rows = []
    for value, label in MemberCategory.choices:
        row = counts.get(value, {})
        rows.append(
            (
                str(label),
                *[row.get(band, 0) for band, _l, _h in AGE_BANDS],
                row.get("aged_70", 0),
                row.get("total", 0),
            )
        )
    return headers, rows


def activity_rows(year: int) -> list[tuple]:
    """Held activities of `year` by type and brand (rows) and local month (columns)."""
    first, last = year_range(year)
    counts: dict[tuple[str, str], list[int]] = {}
    rows = (
        Activity.objects.filter(status=ActivityStatus.HELD, start__gte=first, start__lt=last)
        .annotate(month=ExtractMonth("start", tzinfo=timezone.get_default_timezone()))
        .values("type", "brand", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault((row["type"], row["brand"]), [0] * 12)[row["month"] - 1] += row["n"]
    joint_by_key = {
        (row["type"], row["brand"]): row["n"]
        for row in Activity.objects.filter(
            status=ActivityStatus.HELD, start__gte=first, start__lt=last, is_joint=True
        )
        .values("type", "brand")
        .annotate(n=Count("pk"))
        .order_by()
    }
    types, brands = dict(ActivityType.choices), dict(Brand.choices)
    order = {value: index for index, (value, _label) in enumerate(ActivityType.choices)}
    result = []
    for (type_, brand), months in sorted(
        counts.items(), key=lambda i: (order.get(i[0][0], 99), i[0][1])
    ):
        result.append(
            (
                str(types.get(type_, type_)),
                str(brands.get(brand, "")) if brand else _("No brand"),
                *months,
                sum(months),
                joint_by_key.get((type_, brand), 0),
            )
        )
    return result


def venue_rows(user, year: int) -> list[tuple]:
    """One row per venue: bookings, shared uses, visitors, hours and utilisation of `year`."""
    return [
        (
            row.venue.name,
            row.venue.district.name if row.venue.district_id else "",
            str(row.venue.owner),
            row.bookings,
            row.shared_uses,
            row.visitors,
            round(row.booked_hours, 1),
            round(row.open_hours, 1),
            row.utilisation,
        )
        for row in venue_stats(user=user, year=year)
    ]


def assessment_rows(year: int) -> list[tuple]:
    """Every assessment of `year`'s rounds: total, grade, rank, veto."""
    categories = dict(Category.choices)
    queryset = (
        Assessment.objects.filter(round__year=year)
        .select_related("round", "organization")
        .order_by("round__pk", "rank", "organization__path")
    )
    return [
        (
            a.round.title,
            a.round.get_state_display(),
            a.organization.name,
            str(categories.get(a.organization.category, "")),
            a.total,
            a.get_grade_display() if a.grade else "",
            a.rank,
            _("Yes") if a.vetoed else _("No"),
        )
        for a in queryset.iterator()
    ]


def commendation_rows(year: int) -> list[tuple]:
    """The commendations of organizations awarded in `year`: level, organization, title, body."""
    queryset = (
        OrganizationCommendation.objects.filter(year=year)
        .select_related("organization")
        .order_by("level", "organization__path", "pk")
    )
    return [
        (c.organization.name, c.title, c.awarded_by, c.get_level_display())
        for c in queryset.iterator()
    ]


def annual_sheets(user, year: int, made_at: datetime.datetime | None = None) -> list[Sheet]:
    """The sheets of the annual workbook: 概况, 组织, 党员, 活动, 阵地, 考核, 组织表彰."""
    made_at = made_at or timezone.now()
    sheets = []

    title = _("Overview")
    sheets.append(
        Sheet(
            title=title,
            caption=_caption(year, title, made_at),
            headers=[_("Group"), _("Figure"), _("Count"), _("Share"), _("Note")],
            rows=overview_rows(user, year),
            widths=[26, 40, 12, 12, 50],
            number_formats={2: COUNT, 3: PERCENT},
            one_page=True,  # printed: every label beside its figure, on one page
        )
    )

    title = _("Organizations")
    sheets.append(
        Sheet(
            title=title,
            caption=_caption(year, title, made_at),
            headers=[
                _("District"),
                _("Kind"),
                _("Category"),
                _("Organizations"),
                _("In the alliance"),
                _("Directly managed"),
                _("Pilots"),
                _("Demonstration sites"),
            ],
            rows=organization_rows(),
            widths=[14, 22, 12, 12, 12, 12, 10, 12],
            number_formats=dict.fromkeys(range(3, 8), COUNT),
        )
    )

    title = _("Members")
    band_headers, rows = member_rows()
    headers = [_("Category"), *band_headers, _("70 and over"), _("Total")]
    sheets.append(
        Sheet(
            title=title,
            caption=_caption(year, title, made_at),
            headers=headers,
            rows=rows,
            widths=[22, *[10] * len(band_headers), 12, 10],
            number_formats=dict.fromkeys(range(1, len(headers)), COUNT),
        )
    )

    title = _("Activities")
    months = [_("Month %(month)s") % {"month": m} for m in range(1, 13)]
    sheets.append(
        Sheet(
            title=title,
            caption=_caption(year, title, made_at),
            headers=[_("Type"), _("Brand"), *months, _("Total"), _("Of them joint")],
            rows=activity_rows(year),
            widths=[22, 16, *[7] * 12, 9, 11],
            number_formats=dict.fromkeys(range(2, 16), COUNT),
        )
    )

    title = _("Venues")
    sheets.append(
        Sheet(
            title=title,
            caption=_caption(year, title, made_at),
            headers=[
                _("Venue"),
                _("District"),
                _("Owner"),
                _("Bookings"),
                _("Shared uses"),
                _("Visitors"),
                _("Booked hours"),
                _("Open hours"),
                _("Utilisation"),
            ],
            rows=venue_rows(user, year),
            widths=[30, 10, 28, 10, 10, 10, 12, 12, 10],
            number_formats={3: COUNT, 4: COUNT, 5: COUNT, 6: DECIMAL, 7: DECIMAL, 8: PERCENT},
        )
    )

    title = _("Assessment")
    sheets.append(
        Sheet(
            title=title,
            caption=_caption(year, title, made_at),
            headers=[
                _("Round"),
                _("State"),
                _("Organization"),
                _("Category"),
                _("Total"),
                _("Grade"),
                _("Rank"),
                _("Vetoed"),
            ],
            rows=assessment_rows(year),
            widths=[28, 10, 32, 12, 9, 9, 8, 10],
            number_formats={4: DECIMAL, 6: COUNT},
        )
    )

    title = _("Organization commendations")
    sheets.append(
        Sheet(
            title=title,
            caption=_caption(year, title, made_at),
            headers=[_("Organization"), _("Commendation"), _("awarded by"), _("level")],
            rows=commendation_rows(year),
            widths=[32, 28, 28, 10],
        )
    )
    return sheets


# --- Views --------------------------------------------------------------------------------------


def report_years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, FIRST_YEAR - 1, -1))


class AnnualWorkbookView(PortalPermissionMixin, View):
    """/reports/annual/<year>.xlsx — bureau staff and viewers (the alliance-wide figures)."""

    permission_required = "home.view_annual_report"

    def get(self, request: HttpRequest, year: int) -> HttpResponse:
        if year not in report_years():
            raise Http404
        # home.exports.annual_export: a Chinese workbook whatever the page language; a large
        # one becomes a job.
        return deliver_export(request, "alliance.annual", query=QueryDict(f"year={year}"))


class ReportsIndexView(PortalPermissionMixin, TemplateView):
    """Every Excel export the user may download, grouped by section, with its list page."""

    permission_required = "home.view_reports"
    template_name = "home/reports/index.html"

    def get_context_data(self, **kwargs):
        sections: dict[str, list[dict]] = {}
        for item in exports_for(self.request.user):
            sections.setdefault(str(item["entry"].section), []).append(item)
        return super().get_context_data(
            sections=sections,
            may_annual=self.request.user.has_perm("home.view_annual_report"),
            years=report_years(),
            **kwargs,
        )
