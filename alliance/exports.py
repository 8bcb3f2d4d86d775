"""Excel export of the two lists with their claims and outcomes for a year (core.xlsx).

The boards' FilterSets filter the export too, so it holds exactly what the page shows."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from alliance import selectors
from alliance.forms import NeedFilter, ResourceFilter
from alliance.models import Claim
from core.exports import PreparedExport, register_export
from core.params import year_param
from core.xlsx import Sheet, download_name

CHUNK = 500


def _claims(user) -> Prefetch:
    return Prefetch(
        "claims",
        queryset=selectors.claims_for(user).order_by("claimed_at", "pk"),
        to_attr="visible_claims",
    )


def _claim_cells(claim: Claim | None) -> list:
    if claim is None:
        return ["", "", "", "", ""]
    activity = claim.activity
    return [
        claim.claiming_organization.name,
        claim.people,
        claim.get_state_display(),
        activity.title if activity else "",
        activity.get_status_display() if activity else "",
    ]


def need_rows(user, queryset):
    for need in queryset.prefetch_related(_claims(user)).iterator(chunk_size=CHUNK):
        head = [
            need.title,
            need.community.name,
            need.get_category_display(),
            need.posted_by_organization.name,
            need.wanted_by,
            need.people_wanted,
            "、".join(skill.name for skill in need.skills.all()),
            dict(need._meta.get_field("state").choices).get(need.current_state, need.state),
        ]
        for claim in need.visible_claims or [None]:
            yield head + _claim_cells(claim)


def resource_rows(user, queryset):
    for resource in queryset.prefetch_related(_claims(user)).iterator(chunk_size=CHUNK):
        head = [
            resource.title,
            resource.organization.name,
            resource.get_category_display(),
            resource.available_from,
            resource.available_until,
            resource.capacity,
            "、".join(skill.name for skill in resource.skills.all()),
            resource.get_state_display(),
        ]
        for claim in resource.visible_claims or [None]:
            yield head + _claim_cells(claim)


def _rows_total(user, queryset) -> int:
    """Rows of one sheet: one per visible claim, one for an item nobody claimed."""
    counts = queryset.order_by().annotate(
        n=Count("claims", filter=Q(claims__in=selectors.claims_for(user)))
    )
    return sum(max(1, n) for n in counts.values_list("n", flat=True).iterator(chunk_size=2000))


@register_export(
    "alliance.coordination",
    title=_lazy("Needs and resources with their claims"),
    permission="alliance.export_coordination",
)
def coordination_export(user, query: QueryDict) -> PreparedExport:
    """The two lists of a year (`?year=`) with their claims, filtered as the boards."""
    year = year_param(query, latest=2100)
    needs = NeedFilter(
        query, queryset=selectors.needs_for(user).filter(created_at__year=year)
    ).qs.order_by("created_at", "pk")
    resources = ResourceFilter(
        query, queryset=selectors.resources_for(user).filter(created_at__year=year)
    ).qs.order_by("created_at", "pk")
    return PreparedExport(
        filename=download_name(_("Needs and resources with their claims"), year=year),
        sheets=lambda: coordination_sheets(user, year, needs, resources),
        rows_total=lambda: _rows_total(user, needs) + _rows_total(user, resources),
        query=query,
    )


def coordination_sheets(user, year: int, needs, resources) -> list[Sheet]:
    claim_headers = [
        _("Claiming organization"),
        _("Number of people"),
        _("Claim state"),
        _("Activity"),
        _("Activity status"),
    ]
    caption = _("%(year)s needs and resources with their claims (generated %(day)s)") % {
        "year": year,
        "day": timezone.localdate().isoformat(),
    }
    return [
        Sheet(
            title=_("Needs"),
            caption=caption,
            headers=[
                _("Title"),
                _("Community"),
                _("Category"),
                _("Posted by"),
                _("Wanted by"),
                _("People wanted"),
                _("Skills wanted"),
                _("State"),
                *claim_headers,
            ],
            rows=need_rows(user, needs),
        ),
        Sheet(
            title=_("Resources"),
            caption=caption,
            headers=[
                _("Title"),
                _("Offered by"),
                _("Category"),
                _("Offered from"),
                _("Offered until"),
                _("Capacity (people)"),
                _("Skills"),
                _("State"),
                *claim_headers,
            ],
            rows=resource_rows(user, resources),
        ),
    ]
