"""The staff and viewer 首页's four charts: their numbers as Chart.js `data` objects
(`chart_data`, cached per year through home.cache) and the same numbers as captioned tables
(`chart_tables`) for those who do not read the charts."""

from __future__ import annotations

from collections import OrderedDict
from functools import partial

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity, ActivityStatus
from assessment.models import Grade
from branches.models import Brand, District, Kind, Organization, Status
from home.cache import cached, refresher
from home.figures import grade_counts, grade_year, year_range
from members.filters import AGE_BAND_CHOICES
from members.models import Member, MemberStatus
from members.selectors import AGE_BANDS, age_range_q

# key → (title, Chart.js kind), in the order the charts are shown.
CHARTS = {
    "activities": (gettext_lazy("Activities held by month and brand"), "bar-stacked"),
    "members": (gettext_lazy("Members by age band"), "bar"),
    "organizations": (gettext_lazy("Organizations by district and kind"), "bar-stacked"),
    "grades": (gettext_lazy("Assessment grades"), "doughnut"),
}


def _activities_by_month_and_brand(year: int) -> dict:
    first, last = year_range(year)
    rows = (
        Activity.objects.filter(status=ActivityStatus.HELD, start__gte=first, start__lt=last)
        .annotate(month=ExtractMonth("start", tzinfo=timezone.get_default_timezone()))
        .values("month", "brand")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(row["month"], row["brand"]): row["n"] for row in rows}
    series = [(value, str(label)) for value, label in Brand.choices] + [("", _("No brand"))]
    return {
        "labels": [_("Month %(month)s") % {"month": m} for m in range(1, 13)],
        "datasets": [
            {"label": label, "data": [counts.get((m, value), 0) for m in range(1, 13)]}
            for value, label in series
        ],
    }


def members_by_age_band() -> dict:
    counts = Member.objects.filter(status=MemberStatus.NORMAL).aggregate(
        **{band: Count("pk", filter=age_range_q(low, high)) for band, low, high in AGE_BANDS}
    )
    labels = dict(AGE_BAND_CHOICES)
    return {
        "labels": [str(labels[band]) for band, _low, _high in AGE_BANDS],
        "keys": [band for band, _low, _high in AGE_BANDS],
        "datasets": [{"label": _("Members"), "data": [counts[band] for band, _l, _h in AGE_BANDS]}],
    }


def _organizations_by_district_and_kind() -> dict:
    rows = (
        Organization.objects.filter(status=Status.ACTIVE)
        .values("district__name", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(row["district__name"], row["kind"]): row["n"] for row in rows}
    districts = list(District.objects.values_list("name", flat=True))
    columns = [*districts, None] if any(d is None for d, _k in counts) else districts
    kinds = [(value, label) for value, label in Kind.choices if any(k == value for _d, k in counts)]
    return {
        "labels": [d or _("No district") for d in columns],
        "datasets": [
            {"label": str(label), "data": [counts.get((d, value), 0) for d in columns]}
            for value, label in kinds
        ],
    }


def _assessment_grades(year: int) -> dict:
    grades = grade_counts(grade_year(year) or year)
    return {
        "labels": [str(label) for _value, label in Grade.choices],
        "datasets": [
            {
                "label": _("Organizations"),
                "data": [grades.get(value, 0) for value, _l in Grade.choices],
            }
        ],
    }


@refresher("charts")
def compute_chart_data(year: int) -> OrderedDict:
    """The four charts' numbers (Chart.js `data` objects), keyed as in CHARTS, computed now."""
    return OrderedDict(
        activities=_activities_by_month_and_brand(year),
        members=members_by_age_band(),
        organizations=_organizations_by_district_and_kind(),
        grades=_assessment_grades(year),
    )


def chart_data(year: int) -> dict:
    """The four charts' numbers through the 首页 cache (in CHARTS' order)."""
    charts = cached("charts", year, partial(compute_chart_data, year))
    # In CHARTS' order again: a snapshot read back from PostgreSQL's jsonb has its own key order.
    return {key: charts[key] for key in CHARTS}


def chart_tables(charts: dict) -> list[dict]:
    """Each chart's numbers as a table (rows = the chart's labels, one column per series)."""
    tables = []
    for key, data in charts.items():
        title, kind = CHARTS[key]
        tables.append(
            {
                "key": key,
                "title": title,
                "kind": kind,
                "columns": [dataset["label"] for dataset in data["datasets"]],
                "rows": [
                    (label, [dataset["data"][index] for dataset in data["datasets"]])
                    for index, label in enumerate(data["labels"])
                ],
                "totals": [sum(dataset["data"]) for dataset in data["datasets"]],
            }
        )
    return tables
