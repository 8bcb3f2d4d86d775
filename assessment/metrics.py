"""Evidence from the portal's own records, for rubric items bound to a metric.

A metric is a function (organization, year) → MetricResult: the value, how it was computed
(plain words), links to the filtered record lists it was computed from, and a suggested score
for an item (using the item's `metric_params`). The supervisor decides; a suggestion is only
shown, never saved by itself.

The reference date of a year is 31 December, or today while the year is still running.
Every metric is registered in `REGISTRY` when this module is imported.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.selectors import compliance, joint_activity_count, participation_rate
from assessment.models import Rectification
from branches.models import CommitteeTerm, Organization, in_subtree
from branches.selectors import funded_in_year_q
from members.models import Member, MemberStatus
from venues.selectors import shared_use_count

ONE_DECIMAL = Decimal("0.1")


def reference_date(year: int) -> datetime.date:
    return min(datetime.date(year, 12, 31), timezone.localdate())


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal, maximum: Decimal) -> Decimal:
    return _quantize(max(Decimal("0"), min(maximum, value)))


def _param(item, name: str, default) -> Decimal:
    params = item.metric_params if isinstance(item.metric_params, dict) else {}
    try:
        return Decimal(str(params.get(name, default)))
    except InvalidOperation:  # a malformed parameter falls back to the default
        return Decimal(str(default))


def _url(name: str, args=None, query: dict | None = None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class MetricResult:
    value: float | int | None
    display: str
    explanation: str
    links: list[tuple[str, str]] = field(default_factory=list)
    scorer: Callable[[object], Decimal | None] | None = None

    def suggested_score(self, item) -> Decimal | None:
        """The score the evidence suggests for `item`, within [0, item.max_points]."""
        if self.scorer is None:
            return None
        suggestion = self.scorer(item)
        return None if suggestion is None else _clamp(suggestion, item.max_points)


@dataclass(frozen=True)
class Metric:
    key: str
    label: object  # lazy string
    function: Callable[[object, int], MetricResult]
    params_help: object = ""


REGISTRY: dict[str, Metric] = {}


def register(key: str, label, params_help=""):
    def decorator(function):
        REGISTRY[key] = Metric(key=key, label=label, function=function, params_help=params_help)
        return function

    return decorator


def metric_choices() -> list[tuple[str, object]]:
    return [(key, metric.label) for key, metric in REGISTRY.items()]


def compute(key: str | None, organization, year: int) -> MetricResult | None:
    metric = REGISTRY.get(key or "")
    return metric.function(organization, year) if metric else None


def _share_scorer(share: float, full_key: str = "full_at", full_default="1"):
    """Full marks once `share` reaches the item's `full_at`; proportionally below it."""

    def scorer(item) -> Decimal:
        full_at = _param(item, full_key, full_default)
        if full_at <= 0:
            return item.max_points
        return item.max_points * min(Decimal("1"), Decimal(str(share)) / full_at)

    return scorer


def _per_unit_scorer(count: int, default_each="1"):
    """Bonus-style: `points_each` per record, up to the item's maximum."""

    def scorer(item) -> Decimal:
        return _param(item, "points_each", default_each) * count

    return scorer


# --- branches ------------------------------------------------------------------------------


@register(
    "six_haves",
    gettext_lazy("Six-haves completion"),
    gettext_lazy("full_at: share of the six items that earns full marks (default 1)."),
)
def six_haves(organization, year: int) -> MetricResult:
    # 经费有保障 is also met by an allocation of the assessed year in the funds ledger.
    organization.funded_this_year = (
        Organization.objects.filter(pk=organization.pk).filter(funded_in_year_q(year)).exists()
    )
    items = organization.six_haves
    done = [str(label) for _field, label, ok, _evidence in items if ok]
    missing = [str(label) for _field, label, ok, _evidence in items if not ok]
    share = organization.six_haves_share
    explanation = _(
        "%(done)s of the 6 standardization items are recorded as in place (as recorded now)."
    ) % {"done": len(done)}
    if missing:
        explanation += " " + _("Missing: %(items)s.") % {"items": "、".join(missing)}
    link = _url("branches:detail", args=[organization.pk])
    return MetricResult(
        value=share,
        display=f"{len(done)}/6",
        explanation=explanation,
        links=[(_("Organization record"), link)] if link else [],
        scorer=_share_scorer(share),
    )


@register(
    "overdue_term",
    gettext_lazy("Committee term overdue"),
    gettext_lazy("Full marks when the current term (or its approved extension) has not run out."),
)
def overdue_term(organization, year: int) -> MetricResult:

    on = reference_date(year)
    term = (
        CommitteeTerm.objects.filter(organization=organization, is_current=True)
        .order_by("-started_on")
        .first()
    )
    link = _url("branches:detail", args=[organization.pk])
    links = [(_("Organization record"), link)] if link else []
    if term is None:
        return MetricResult(
            value=None,
            display=_("No term recorded"),
            explanation=_("No current committee term is recorded for this organization."),
            links=links,
            scorer=None,
        )
    ends = term.extended_until or term.ends_on
    overdue = ends < on
    if overdue:
        display = _("Term overdue")
        explanation = _("The current term ended on %(ends)s, before %(on)s.") % {
            "ends": ends,
            "on": on,
        }
    else:
        display = _("Within term")
        explanation = _("The current term runs until %(ends)s.") % {"ends": ends}
    if term.extended_until:
        explanation += " " + _("(Extension approved: %(reason)s)") % {
            "reason": term.extension_reason or "—"
        }
    return MetricResult(
        value=overdue,
        display=display,
        explanation=explanation,
        links=links,
        scorer=(lambda item: Decimal("0")) if overdue else (lambda item: item.max_points),
    )


# --- members -------------------------------------------------------------------------------


@register(
    "community_registration",
    gettext_lazy("Members registered to a community"),
    gettext_lazy("full_at: share of members that earns full marks (default 0.9)."),
)
def community_registration(organization, year: int) -> MetricResult:

    on = reference_date(year)
    members = Member.objects.filter(
        in_subtree(organization, "organization"), status=MemberStatus.NORMAL
    )
    total = members.count()
    registered = members.filter(
        Q(registered_community__isnull=False)
        & (Q(registered_on__isnull=True) | Q(registered_on__lte=on))
    ).count()
    share = registered / total if total else 0.0
    link = _url("members:list", query={"organization": organization.pk})
    registered_link = _url(
        "members:list", query={"organization": organization.pk, "registered": "yes"}
    )
    return MetricResult(
        value=share,
        display=f"{registered}/{total} ({share * 100:.1f}%)",
        explanation=_(
            "%(registered)s of %(total)s members (normal status, this organization and below) "
            "had registered with a community by %(on)s."
        )
        % {"registered": registered, "total": total, "on": on},
        links=[
            pair
            for pair in ((_("Member list"), link), (_("Registered members"), registered_link))
            if pair[1]
        ],
        scorer=_share_scorer(share, full_default="0.9") if total else None,
    )


# --- assessment (inspections) --------------------------------------------------------------


@register(
    "open_rectifications",
    gettext_lazy("Open rectifications"),
    gettext_lazy(
        "per_open: points off per open rectification (default 0.5); "
        "per_overdue: points off per overdue one (default 2)."
    ),
)
def open_rectifications(organization, year: int) -> MetricResult:

    on = reference_date(year)
    still_open = Rectification.objects.filter(
        inspection__organization=organization, inspection__date__lte=on
    ).filter(Q(status="open") | Q(done_on__gt=on))
    open_count = still_open.count()
    overdue = still_open.filter(deadline__lt=on).count()
    link = _url("assessment:rectification_list", query={"organization": organization.pk})

    def scorer(item) -> Decimal:
        per_open = _param(item, "per_open", "0.5")
        per_overdue = _param(item, "per_overdue", "2")
        return item.max_points - per_open * (open_count - overdue) - per_overdue * overdue

    return MetricResult(
        value=open_count,
        display=_("%(open)s open, %(overdue)s overdue") % {"open": open_count, "overdue": overdue},
        explanation=_(
            "Rectifications from inspections of this organization still open on %(on)s: "
            "%(open)s, of which %(overdue)s past their deadline."
        )
        % {"on": on, "open": open_count, "overdue": overdue},
        links=[(_("Rectification list"), link)] if link else [],
        scorer=scorer,
    )


def _count_scorer(count: int):
    """Full marks at `full_at` records (proportionally below), or else `points_each` per record
    (default 1) up to the item's maximum — the usual shape of a bonus item."""

    def scorer(item) -> Decimal:
        params = item.metric_params if isinstance(item.metric_params, dict) else {}
        if "full_at" in params:
            full_at = _param(item, "full_at", "1")
            if full_at <= 0:
                return item.max_points
            return item.max_points * min(Decimal("1"), Decimal(count) / full_at)
        return _param(item, "points_each", "1") * count

    return scorer


# --- activities ----------------------------------------------------------------------------


@register(
    "meetings",
    gettext_lazy("Meetings held vs required"),
    gettext_lazy(
        "types: list of meeting types to count (default all required ones); "
        "full_at: share of required meetings that earns full marks (default 1)."
    ),
)
def meetings(organization, year: int) -> MetricResult:

    on = reference_date(year)
    rows = [
        row for row in compliance(organization=organization, year=year) if row.period.last <= on
    ]
    per_type: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for row in rows:
        held_required = per_type.setdefault(row.activity_type, [0, 0, 0])
        held_required[0] += min(row.held, row.required)  # extra meetings do not make up
        held_required[1] += row.required
        held_required[2] += row.held
        labels[row.activity_type] = row.type_label

    def totals(types=None):
        chosen = [v for t, v in per_type.items() if not types or t in types]
        return sum(v[0] for v in chosen), sum(v[1] for v in chosen)

    met, required = totals()
    share = met / required if required else 0.0
    lines = [
        _("%(type)s: %(held)s held, %(required)s required")
        % {"type": labels[t], "held": v[2], "required": v[1]}
        for t, v in per_type.items()
    ]
    explanation = _(
        "Required meetings in the periods ended by %(on)s, counting at most the required "
        "number per period: %(met)s of %(required)s held."
    ) % {"on": on, "met": met, "required": required}
    if lines:
        explanation += " " + "；".join(lines) + "。"
    link = _url(
        "activities:list",
        query={"organization": organization.pk, "year": year, "status": "held"},
    )
    board = _url("activities:compliance_organization", args=[organization.pk], query={"year": year})

    def scorer(item) -> Decimal | None:
        params = item.metric_params if isinstance(item.metric_params, dict) else {}
        m, r = totals(set(params.get("types") or []))
        if not r:
            return None
        full_at = _param(item, "full_at", "1")
        return item.max_points * min(Decimal("1"), Decimal(m) / Decimal(r) / full_at)

    return MetricResult(
        value=share,
        display=f"{met}/{required}",
        explanation=explanation,
        links=[
            pair
            for pair in ((_("Meeting compliance"), board), (_("Activity records"), link))
            if pair[1]
        ],
        scorer=scorer if required else None,
    )


@register(
    "participation",
    gettext_lazy("Participation rate"),
    gettext_lazy("full_at: participation rate that earns full marks (default 0.9)."),
)
def participation(organization, year: int) -> MetricResult:

    on = reference_date(year)
    result = participation_rate(organization=organization, start=datetime.date(year, 1, 1), end=on)
    rate = result.rate
    link = _url("activities:list", query={"organization": organization.pk, "year": year})
    explanation = _(
        "Attendance of held activities from 1 January to %(on)s by the members of this "
        "organization and below: %(present)s present of %(expected)s expected, "
        "%(excused)s excused (not counted), %(absent)s absent."
    ) % {
        "on": on,
        "present": result.present,
        "expected": result.expected,
        "excused": result.excused,
        "absent": result.absent,
    }
    return MetricResult(
        value=rate,
        display="—" if rate is None else f"{rate * 100:.1f}%",
        explanation=explanation,
        links=[(_("Activity records"), link)] if link else [],
        scorer=None if rate is None else _share_scorer(rate, full_default="0.9"),
    )


@register(
    "joint_activities",
    gettext_lazy("Joint activities"),
    gettext_lazy(
        "points_each: points per joint activity (default 1), or full_at: count "
        "that earns full marks."
    ),
)
def joint_activities(organization, year: int) -> MetricResult:

    count = joint_activity_count(year=year, organization=organization)
    link = _url(
        "activities:list", query={"organization": organization.pk, "year": year, "joint": "on"}
    )
    return MetricResult(
        value=count,
        display=str(count),
        explanation=_(
            "Held activities in %(year)s that this organization hosted together with at "
            "least one other organization: %(count)s."
        )
        % {"year": year, "count": count},
        links=[(_("Joint activity records"), link)] if link else [],
        scorer=_count_scorer(count),
    )


# --- venues --------------------------------------------------------------------------------


@register(
    "shared_venue_uses",
    gettext_lazy("Shared venue uses"),
    gettext_lazy(
        "points_each: points per shared use (default 1), or full_at: count that earns full marks."
    ),
)
def shared_venue_uses(organization, year: int) -> MetricResult:
    used = shared_use_count(year, organization)
    hosted = shared_use_count(year, organization, as_owner=True)
    count = used + hosted
    link = _url(
        "venues:bookings",
        query={
            "organization": organization.name,
            "shared": "yes",
            "status": "approved",
            "date_from": f"{year}-01-01",
            "date_to": f"{year}-12-31",
        },
    )
    return MetricResult(
        value=count,
        display=str(count),
        explanation=_(
            "Approved bookings in %(year)s where the booking organization is not the "
            "venue's owner: %(used)s made by this organization (and below) at others' "
            "venues, %(hosted)s by others at its venues."
        )
        % {"year": year, "used": used, "hosted": hosted},
        links=[(_("Booking records"), link)] if link else [],
        scorer=_count_scorer(count),
    )
