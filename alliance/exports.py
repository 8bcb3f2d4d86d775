"""Excel export of the two lists with their claims and outcomes for a year (core.xlsx).

The boards' FilterSets filter the export too, so it holds exactly what the page shows."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import selectors
from alliance.forms import NeedFilter, ResourceFilter
from alliance.models import Claim
from core.xlsx import Sheet, xlsx_response

CHUNK = 500


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


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


def coordination_workbook(request: HttpRequest):
    user = request.user
    year = _year(request)
    needs = NeedFilter(
        request.GET, queryset=selectors.needs_for(user).filter(created_at__year=year)
    ).qs.order_by("created_at", "pk")
    resources = ResourceFilter(
        request.GET, queryset=selectors.resources_for(user).filter(created_at__year=year)
    ).qs.order_by("created_at", "pk")
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
    response = xlsx_response(
        "coordination.xlsx",
        [
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
        ],
        user=user,
        export="alliance.coordination",
        query=request.GET,
    )
    return response
