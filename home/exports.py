"""The annual statistics workbook (home.reports) in the export registry (core.exports): at
scale its assessment and venue sheets grow with the alliance, and a large one is written by
the job worker."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assessment.models import Assessment
from core.exports import ExportRefused, PreparedExport, register_export
from core.xlsx import download_name
from home.reports import annual_sheets, report_years
from members.models import OrganizationCommendation
from venues.selectors import venues_for


def _year(query: QueryDict) -> int:
    try:
        year = int(query.get("year", ""))
    except ValueError:
        year = None
    if year not in report_years():
        raise ExportRefused(_("There is no annual report for this year."))
    return year


@register_export(
    "alliance.annual",
    title=_lazy("Annual statistics workbook"),
    permission="home.view_annual_report",
)
def annual_export(user, query: QueryDict) -> PreparedExport:
    """The sheets of the year's workbook (`?year=`), in Chinese whatever the language."""
    year = _year(query)

    def sheets():
        with translation.override("zh-hans"):
            return annual_sheets(user, year)  # rows are computed here, in Chinese

    with translation.override("zh-hans"):
        filename = download_name(_("Annual statistics workbook"), year=year)
    return PreparedExport(
        filename=filename,
        sheets=sheets,
        # the sheets that grow: one row per assessment and per venue (the others are small)
        rows_total=lambda: (
            Assessment.objects.filter(round__year=year).count()
            + venues_for(user).count()
            + OrganizationCommendation.objects.filter(year=year).count()
        ),
        query=QueryDict(f"year={year}"),
    )
