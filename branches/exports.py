"""Excel export of the organization list (exactly what is filtered), registered with
core.exports (a large one is written by the job worker)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from branches import selectors
from branches.filters import OrganizationFilter
from branches.models import FundEntry, FundKind, Organization
from core.exports import ExportRefused, PreparedExport, register_export
from core.params import year_param
from core.xlsx import Sheet, download_name

HEADERS = (
    ("name", 30),
    ("kind", 16),
    ("category", 10),
    ("affinity", 10),
    ("parent", 30),
    ("department", 30),
    ("district", 10),
    ("community", 16),
    ("directly managed", 8),
    ("pilot year", 8),
    ("demonstration site year", 8),
    ("members", 8),
    ("full members", 8),
    ("in the alliance", 8),
    ("needs attention", 8),
    ("status", 8),
)


def _headers() -> list[str]:
    labels = {
        "name": _("Name"),
        "kind": _("Kind"),
        "category": _("Category"),
        "affinity": _("Affinity"),
        "parent": _("Parent organization"),
        "department": _("City department"),
        "district": _("District"),
        "community": _("Community"),
        "directly managed": _("Directly managed"),
        "pilot year": _("Pilot year"),
        "demonstration site year": _("Demonstration site year"),
        "members": _("Members"),
        "full members": _("Full members"),
        "in the alliance": _("In the alliance"),
        "needs attention": _("Needs attention"),
        "status": _("Status"),
    }
    return [labels[key] for key, _width in HEADERS]


def organization_row(org) -> list:
    yes, no = _("Yes"), _("No")
    return [
        org.name,
        org.get_kind_display(),
        org.get_category_display(),
        org.get_affinity_display(),
        org.parent.name if org.parent_id else "",
        org.department.name if org.department_id else "",
        org.district.name if org.district_id else "",
        org.community.name if org.community_id else "",
        yes if org.directly_managed else no,
        org.pilot_year,
        org.demonstration_year,
        org.member_count,
        org.full_member_count,
        yes if org.in_alliance else no,
        yes if org.needs_attention else no,
        org.get_status_display(),
    ]


def organizations_sheet(queryset: QuerySet) -> Sheet:
    """`queryset` comes from selectors.organization_list_for + the list's FilterSet."""
    rows = (organization_row(org) for org in queryset.iterator(chunk_size=500))
    return Sheet(
        title=_("Organizations"),
        headers=_headers(),
        rows=rows,
        widths=[width for _key, width in HEADERS],
    )


@register_export(
    "branches.organizations",
    title=_lazy("Organization list"),
    permission="branches.export_organization",
)
def organizations_export(user, query: QueryDict) -> PreparedExport:
    """Exactly the filtered organization list (the same FilterSet as the page)."""
    queryset = selectors.organization_list_for(user).order_by("path")
    filterset = OrganizationFilter(query, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    return PreparedExport(
        filename=download_name(_("Organization list"), day=timezone.localdate()),
        sheets=lambda: [organizations_sheet(rows)],
        rows_total=rows.order_by().count,
        query=query,
    )


# --- The funds ledger (经费台账) ------------------------------------------------------------


def _fund_row(entry) -> list:
    kind_detail = (
        entry.get_source_display()
        if entry.kind == FundKind.ALLOCATION
        else entry.get_category_display()
    )
    return [
        entry.organization.name,
        entry.date,
        entry.get_kind_display(),
        kind_detail,
        entry.signed_amount,
        entry.payee,
        entry.note,
        (_("Reverses the entry of %(day)s") % {"day": entry.reverses.date.isoformat()})
        if entry.reverses_id
        else "",
        _("Yes") if entry.receipt else _("No"),
        str(entry.entered_by) if entry.entered_by_id else "",
        entry.entered_at,
    ]


@register_export(
    "branches.fund_ledger", title=_lazy("Funds ledger"), permission="branches.export_funds"
)
def fund_ledger_export(user, query: QueryDict) -> PreparedExport:
    """经费台账 of one organization (`organization`) or of every organization the user may see,
    for a year: one row per entry, amounts signed (+ received, − spent)."""
    year = year_param(query)
    organizations = selectors.organizations_for(user)
    organization = None
    if query.get("organization"):
        try:
            organization = organizations.get(pk=int(query["organization"]))
        except (ValueError, Organization.DoesNotExist):
            raise ExportRefused(_("You may not export this organization's funds ledger.")) from None
        if not user.has_perm("branches.view_funds", organization):
            raise ExportRefused(_("You may not export this organization's funds ledger."))
        entries = FundEntry.objects.filter(organization=organization)
    else:
        entries = FundEntry.objects.filter(organization__in=organizations)
    entries = (
        entries.filter(date__year=year)
        .select_related("organization", "entered_by", "reverses")
        .order_by("organization__path", "date", "pk")
    )
    headers = [
        _("Organization"),
        _("Date"),
        _("Kind"),
        _("Source or category"),
        _("Amount (yuan)"),
        _("Payer or payee"),
        _("Note"),
        _("Correction"),
        _("Receipt"),
        _("Entered by"),
        _("Entered at"),
    ]
    name = organization.name if organization else _("All organizations")

    def sheets():
        return [
            Sheet(
                title=_("Funds ledger"),
                caption=_("%(name)s funds ledger %(year)s") % {"name": name, "year": year},
                headers=headers,
                rows=(_fund_row(entry) for entry in entries.iterator(chunk_size=500)),
                widths=[30, 12, 10, 12, 14, 20, 30, 20, 8, 12, 18],
                number_formats={4: "#,##0.00"},
            )
        ]

    return PreparedExport(
        filename=download_name(_("Funds ledger"), year=year),
        sheets=sheets,
        rows_total=entries.order_by().count,
        query=query,
    )
