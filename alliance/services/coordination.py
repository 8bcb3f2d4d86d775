"""Community coordination (双清单、双认领): posting needs and resources, claims, fulfilment.

Life of an item: a need (posted by a community's party organization) or a resource (offered
by any organization) is claimed; the other side accepts or declines; accepting creates the
activity that does the work (through activities.services, both sides as hosts); when that
activity is marked held, the item is fulfilled (activities.signals.activity_held, sent on
commit; `claims_sync_fulfilment()` recomputes the same for writes without signals).

A need may be claimed by several organizations while the people accepted so far are fewer
than the people wanted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.services import ActivityError, activity_create
from activities.signals import activity_held
from alliance.models import (
    Claim,
    ClaimState,
    CoordinationCategory,
    Need,
    NeedState,
    Resource,
    ResourceState,
)
from alliance.permissions import acts_for, community_organization_of
from alliance.services.base import CoordinationError, _full_clean, _lock, _require
from branches.models import Brand, Kind, Organization
from core.actors import system_actor
from core.history import save_with_action, update_with_action

# The activity an accepted claim becomes: its type and brand (三银) from the category.
CATEGORY_ACTIVITY_TYPE = {
    CoordinationCategory.LECTURE: "lecture",
    CoordinationCategory.VOLUNTEERING: "volunteering",
    CoordinationCategory.CULTURE: "culture",
    CoordinationCategory.MEDIATION: "mediation",
    CoordinationCategory.ENVIRONMENT: "volunteering",
    CoordinationCategory.HEALTH: "volunteering",
    CoordinationCategory.ELDERLY_CARE: "volunteering",
    CoordinationCategory.OTHER: "other",
}
CATEGORY_BRAND = {
    CoordinationCategory.LECTURE: Brand.SILVER_PIONEER,
    CoordinationCategory.CULTURE: Brand.SILVER_GLOW,
}
DEFAULT_BRAND = Brand.SILVER_SHINE
ACTIVITY_HOURS = 2


# --- Posting ---------------------------------------------------------------------------------


@transaction.atomic
def need_post(
    *,
    acting_user,
    title: str,
    category: str,
    wanted_by: datetime.date,
    people_wanted: int = 1,
    description: str = "",
    skills: Iterable = (),
    organization: Organization | None = None,
) -> Need:
    """A community's party organization (its liaison or secretary, or bureau staff) posts a need.

    `organization` defaults to the acting liaison's community party organization.
    """
    if organization is None:
        organization = community_organization_of(acting_user)
    _require(
        organization is not None,
        _("Your community has no community party organization on record to post for."),
    )
    _require(
        organization.kind == Kind.COMMUNITY_ORG and organization.community_id is not None,
        _("Needs are posted by a community party organization."),
    )
    _require(
        acts_for(acting_user, organization),
        _("You may only post needs for your own community."),
    )
    _require(
        wanted_by is not None and wanted_by >= timezone.localdate(),
        _("The wanted-by date cannot be in the past."),
    )
    need = Need(
        title=(title or "").strip(),
        description=description,
        category=category,
        community_id=organization.community_id,
        posted_by_organization=organization,
        posted_by=acting_user,
        wanted_by=wanted_by,
        people_wanted=people_wanted,
    )
    _full_clean(need)
    save_with_action(need, "alliance.need.post")
    need.skills.set(list(skills))
    return need


@transaction.atomic
def resource_post(
    *,
    acting_user,
    organization: Organization,
    title: str,
    category: str,
    available_from: datetime.date,
    available_until: datetime.date,
    capacity: int = 1,
    description: str = "",
    skills: Iterable = (),
) -> Resource:
    """An organization offers a service (its secretary, or bureau staff)."""
    _require(
        acts_for(acting_user, organization),
        _("You may only offer resources of your own organization."),
    )
    _require(
        available_until is not None and available_until >= timezone.localdate(),
        _("The period offered cannot end in the past."),
    )
    resource = Resource(
        title=(title or "").strip(),
        description=description,
        category=category,
        organization=organization,
        posted_by=acting_user,
        capacity=capacity,
        available_from=available_from,
        available_until=available_until,
    )
    _full_clean(resource)
    save_with_action(resource, "alliance.resource.post")
    resource.skills.set(list(skills))
    return resource


def _item_withdraw(model, item, *, acting_user, owner: str, refused: str, not_open: str):
    """Withdraw a need or a resource (the states are spelled alike): only the side that posted
    it, only while it is open or claimed; its pending claims are withdrawn with it."""
    item = _lock(model, item.pk)
    _require(acts_for(acting_user, getattr(item, owner)), refused)
    _require(item.state in (NeedState.OPEN, NeedState.CLAIMED), not_open)
    item.state = NeedState.WITHDRAWN
    save_with_action(
        item, f"{item._meta.label_lower}.withdraw", update_fields=["state", "updated_at"]
    )
    update_with_action(
        item.claims.filter(state=ClaimState.PENDING),
        "alliance.claim.withdraw_with_item",
        state=ClaimState.WITHDRAWN,
    )
    return item


@transaction.atomic
def need_withdraw(*, need: Need, acting_user) -> Need:
    return _item_withdraw(
        Need,
        need,
        acting_user=acting_user,
        owner="posted_by_organization",
        refused=_("Only the community that posted the need may withdraw it."),
        not_open=_("Only an open or claimed need can be withdrawn."),
    )


@transaction.atomic
def resource_withdraw(*, resource: Resource, acting_user) -> Resource:
    return _item_withdraw(
        Resource,
        resource,
        acting_user=acting_user,
        owner="organization",
        refused=_("Only the organization that offers the resource may withdraw it."),
        not_open=_("Only an open or claimed resource can be withdrawn."),
    )


# --- Claims ----------------------------------------------------------------------------------


def accepted_people(item) -> int:
    return item.claims.filter(state=ClaimState.ACCEPTED).aggregate(n=Sum("people"))["n"] or 0


def _create_claim(**fields) -> Claim:
    claim = Claim(**fields)
    _full_clean(claim, validate_constraints=False)
    try:
        with transaction.atomic():
            save_with_action(claim, "alliance.claim.create")
    except IntegrityError as exc:
        raise CoordinationError(_("This organization has already claimed this item.")) from exc
    return claim


@transaction.atomic
def need_claim(
    *, need: Need, organization: Organization, acting_user, people: int = 1, note: str = ""
) -> Claim:
    """An organization offers people for a need (its secretary, or bureau staff)."""
    need = _lock(Need, need.pk)
    _require(
        acts_for(acting_user, organization),
        _("You may only claim for your own organization."),
    )
    _require(
        organization.pk != need.posted_by_organization_id,
        _("An organization cannot claim its own need."),
    )
    _require(
        need.state in (NeedState.OPEN, NeedState.CLAIMED),
        _("This need is no longer open for claims."),
    )
    _require(need.wanted_by >= timezone.localdate(), _("This need has expired."))
    _require(
        accepted_people(need) < need.people_wanted,
        _("This need already has all the people it asked for."),
    )
    return _create_claim(
        need=need,
        claiming_organization=organization,
        people=people,
        note=note,
        claimed_by=acting_user,
    )


@transaction.atomic
def resource_claim(
    *,
    resource: Resource,
    acting_user,
    organization: Organization | None = None,
    people: int = 1,
    note: str = "",
) -> Claim:
    """A community (its party organization: liaison or secretary, or staff) claims a resource."""
    resource = _lock(Resource, resource.pk)
    if organization is None:
        organization = community_organization_of(acting_user)
    _require(
        organization is not None and organization.kind == Kind.COMMUNITY_ORG,
        _("Resources are claimed by a community party organization."),
    )
    _require(
        acts_for(acting_user, organization),
        _("You may only claim for your own community."),
    )
    _require(
        organization.pk != resource.organization_id,
        _("An organization cannot claim its own resource."),
    )
    _require(
        resource.state in (ResourceState.OPEN, ResourceState.CLAIMED),
        _("This resource is no longer open for claims."),
    )
    _require(
        resource.available_until >= timezone.localdate(),
        _("The period this resource is offered has ended."),
    )
    _require(
        accepted_people(resource) < resource.capacity,
        _("This resource is fully taken."),
    )
    return _create_claim(
        resource=resource,
        claiming_organization=organization,
        people=people,
        note=note,
        claimed_by=acting_user,
    )


def _decided_claim(claim: Claim, acting_user) -> Claim:
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("need", "resource")
        .get(pk=claim.pk)
    )
    owner = Organization.objects.get(pk=claim.owner_organization_id)
    _require(
        acts_for(acting_user, owner),
        _("Only the side that posted the item may decide on its claims."),
    )
    if claim.state == ClaimState.DECLINED:
        raise CoordinationError(_("This claim was already declined."))
    if claim.state == ClaimState.ACCEPTED:
        raise CoordinationError(_("This claim was already accepted."))
    _require(claim.state == ClaimState.PENDING, _("This claim was withdrawn."))
    return claim


def _activity_start(claim: Claim, start: datetime.datetime | None) -> datetime.datetime:
    if start is not None:
        return start
    today = timezone.localdate()
    if claim.need_id:
        day = claim.need.wanted_by
    else:
        day = max(claim.resource.available_from, today + datetime.timedelta(days=1))
    return datetime.datetime.combine(
        day, datetime.time(9, 0), tzinfo=timezone.get_current_timezone()
    )


@transaction.atomic
def claim_accept(*, claim: Claim, acting_user, start: datetime.datetime | None = None) -> Claim:
    """Accept a claim: the activity that does the work is created, both sides hosting it.

    The side that does the work leads (the claiming organization for a need, the offering
    organization for a resource); the community party organization co-hosts.
    """

    claim = _decided_claim(claim, acting_user)
    item = claim.item
    if claim.need_id:
        _require(
            item.state in (NeedState.OPEN, NeedState.CLAIMED),
            _("This need is no longer open for claims."),
        )
        lead, co_host = claim.claiming_organization, item.posted_by_organization
        place = item.community.name
    else:
        _require(
            item.state in (ResourceState.OPEN, ResourceState.CLAIMED),
            _("This resource is no longer open for claims."),
        )
        lead, co_host = item.organization, claim.claiming_organization
        place = co_host.community.name if co_host.community_id else ""
    begin = _activity_start(claim, start)
    try:
        # Authority was checked above (the deciding side); the activity belongs to both sides,
        # so it is created on the coordination's behalf and attributed to the acting user.
        activity = activity_create(
            type=CATEGORY_ACTIVITY_TYPE.get(item.category, "other"),
            brand=CATEGORY_BRAND.get(item.category, DEFAULT_BRAND),
            organization=lead,
            co_hosts=[co_host],
            title=item.title,
            start=begin,
            end=begin + datetime.timedelta(hours=ACTIVITY_HOURS),
            place_text=place,
            agenda=item.description,
            acting_user=system_actor(),
        )
    except ActivityError as exc:
        raise CoordinationError(str(exc)) from exc
    activity.created_by = acting_user
    save_with_action(activity, "alliance.claim.accept", update_fields=["created_by"])
    claim.state = ClaimState.ACCEPTED
    claim.decided_by = acting_user
    claim.decided_at = timezone.now()
    claim.activity = activity
    save_with_action(
        claim,
        "alliance.claim.accept",
        update_fields=["state", "decided_by", "decided_at", "activity"],
    )
    if item.state == NeedState.OPEN:  # same value for resources
        item.state = NeedState.CLAIMED
        save_with_action(
            item, f"{item._meta.label_lower}.claim_accepted", update_fields=["state", "updated_at"]
        )
    return claim


@transaction.atomic
def claim_decline(*, claim: Claim, acting_user, reason: str = "") -> Claim:
    claim = _decided_claim(claim, acting_user)
    claim.state = ClaimState.DECLINED
    claim.decided_by = acting_user
    claim.decided_at = timezone.now()
    claim.decline_reason = reason[:200]
    save_with_action(
        claim,
        "alliance.claim.decline",
        update_fields=["state", "decided_by", "decided_at", "decline_reason"],
    )
    return claim


@transaction.atomic
def claim_withdraw(*, claim: Claim, acting_user) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require(
        acts_for(acting_user, claim.claiming_organization),
        _("Only the claiming organization may withdraw its claim."),
    )
    _require(claim.state == ClaimState.PENDING, _("Only a pending claim can be withdrawn."))
    claim.state = ClaimState.WITHDRAWN
    save_with_action(claim, "alliance.claim.withdraw", update_fields=["state"])
    return claim


# --- Fulfilment --------------------------------------------------------------------------------


def _refresh_fulfilment(item, wanted: int, open_states: Sequence[str]) -> bool:
    """Fulfilled when the accepted people reach what was wanted and every accepted claim's
    activity has been held. Returns True when the item changed to fulfilled."""
    if item.state not in open_states:
        return False
    accepted = list(item.claims.filter(state=ClaimState.ACCEPTED).select_related("activity"))
    if not accepted:
        return False
    people = sum(claim.people for claim in accepted)
    all_held = all(claim.activity and claim.activity.status == "held" for claim in accepted)
    if people >= wanted and all_held:
        item.state = NeedState.FULFILLED  # the same value in ResourceState
        save_with_action(
            item, f"{item._meta.label_lower}.fulfil", update_fields=["state", "updated_at"]
        )
        return True
    return False


@receiver(activity_held, dispatch_uid="alliance_claim_fulfilment")
def _activity_held(sender, activity_id: int, **kwargs) -> None:
    """An activity was marked held and committed: fulfil the items its accepted claims serve."""
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is not None:
        with transaction.atomic():
            fulfil_for_activity(activity=activity)


def fulfil_for_activity(*, activity) -> int:
    """Fulfil what an activity served (on activities.signals.activity_held)."""
    changed = 0
    claims = Claim.objects.filter(activity=activity, state=ClaimState.ACCEPTED).select_related(
        "need", "resource"
    )
    for claim in claims:
        if claim.need_id:
            changed += _refresh_fulfilment(
                claim.need, claim.need.people_wanted, (NeedState.OPEN, NeedState.CLAIMED)
            )
        else:
            # A resource is fulfilled by its accepted claims' activities, whatever its capacity.
            resource = claim.resource
            changed += _refresh_fulfilment(
                resource,
                min(resource.capacity, accepted_people(resource)),
                (ResourceState.OPEN, ResourceState.CLAIMED),
            )
    return changed


@transaction.atomic
def claims_sync_fulfilment() -> int:
    """Recompute fulfilment from the activities' status (for writes that bypass signals)."""

    held = Activity.objects.filter(
        status="held",
        alliance_claims__state=ClaimState.ACCEPTED,
    ).distinct()
    return sum(fulfil_for_activity(activity=activity) for activity in held)


@transaction.atomic
def needs_expire(*, today: datetime.date | None = None) -> int:
    """Store the expired state of open needs past their wanted-by date (the boards already
    treat them as expired on read; this makes it permanent, e.g. from a nightly job)."""
    today = today or timezone.localdate()
    return update_with_action(
        Need.objects.filter(state=NeedState.OPEN, wanted_by__lt=today),
        "alliance.need.expire",
        state=NeedState.EXPIRED,
    )
