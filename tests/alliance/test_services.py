"""Community coordination services: the life of a need and of a resource, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone, translation

from activities.models import Activity
from activities.services import activity_mark_held
from alliance.models import (
    Claim,
    ClaimState,
    MediationCase,
    Need,
    NeedState,
    Resource,
    ResourceState,
    RotaShift,
)
from alliance.selectors import needs_for
from alliance.services import (
    CoordinationError,
    claim_accept,
    claim_decline,
    claim_withdraw,
    claims_sync_fulfilment,
    mediation_case_record,
    need_claim,
    need_post,
    need_withdraw,
    needs_expire,
    resource_claim,
    resource_post,
    rota_shift_add,
    studio_create,
)
from core.actors import system_actor
from members.models import Skill
from tests.alliance.helpers import build_world, days, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in the source language here; pages are checked in Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(org_tree, liaison_user):
    return build_world(org_tree, liaison_user)


def hold(activity, user):
    """Move the activity into the past and mark it held through the activities service."""

    activity.start = timezone.now() - datetime.timedelta(hours=3)
    activity.end = activity.start + datetime.timedelta(hours=2)
    activity.save(update_fields=["start", "end"])
    # The claim is fulfilled when the held activity commits (activities.signals.activity_held).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return activity_mark_held(activity=activity, acting_user=user)


def post_need(world, **fields):

    data = {
        "acting_user": world.liaison,
        "title": "为独居老人讲解防诈骗知识",
        "category": "lecture",
        "wanted_by": days(14),
        "people_wanted": 2,
        "skills": Skill.objects.filter(name="宣讲"),
    }
    data.update(fields)
    return need_post(**data)


def test_need_life_post_claim_accept_hold_fulfil(world, secretary_user, staff_user):
    need = post_need(world)
    assert need.posted_by_organization == world.community_org
    assert need.community == world.community
    assert need.state == NeedState.OPEN

    claim = need_claim(
        need=need, organization=world.tree.branch_a, acting_user=secretary_user, people=2
    )
    assert claim.state == ClaimState.PENDING

    claim = claim_accept(claim=claim, acting_user=world.liaison)
    need.refresh_from_db()
    assert claim.state == ClaimState.ACCEPTED
    assert claim.decided_by == world.liaison
    assert need.state == NeedState.CLAIMED
    activity = claim.activity
    assert activity.type == "lecture"
    assert activity.brand == "silver_pioneer"
    assert activity.organization == world.tree.branch_a
    assert set(activity.hosts.all()) == {world.tree.branch_a, world.community_org}
    assert activity.is_joint
    assert activity.start.date() == need.wanted_by
    assert activity.created_by == world.liaison

    hold(activity, secretary_user)
    need.refresh_from_db()
    assert need.state == NeedState.FULFILLED


def test_resource_life_post_claim_accept_hold_fulfil(world, secretary_user):
    resource = resource_post(
        acting_user=secretary_user,
        organization=world.tree.branch_a,
        title="书画进社区",
        category="culture",
        available_from=days(1),
        available_until=days(60),
        capacity=5,
    )
    claim = resource_claim(resource=resource, acting_user=world.liaison, people=3)
    assert claim.claiming_organization == world.community_org
    claim = claim_accept(claim=claim, acting_user=secretary_user)
    resource.refresh_from_db()
    assert resource.state == ResourceState.CLAIMED
    assert claim.activity.type == "culture"
    assert claim.activity.brand == "silver_glow"
    assert claim.activity.organization == world.tree.branch_a

    hold(claim.activity, secretary_user)
    resource.refresh_from_db()
    assert resource.state == ResourceState.FULFILLED


def test_need_claimed_by_several_organizations_until_enough_people(
    world, secretary_user, other_secretary
):
    need = post_need(world, people_wanted=5)
    first = need_claim(
        need=need, organization=world.tree.branch_a, acting_user=secretary_user, people=3
    )
    first = claim_accept(claim=first, acting_user=world.liaison)
    second = need_claim(
        need=need, organization=world.tree.branch_b, acting_user=other_secretary, people=2
    )
    second = claim_accept(claim=second, acting_user=world.liaison)
    # 3 + 2 = 5 people: no further claims.
    with pytest.raises(CoordinationError, match="all the people"):
        need_claim(need=need, organization=world.legal_branch, acting_user=system_actor())
    # Fulfilled only when both activities are held.
    hold(first.activity, secretary_user)
    need.refresh_from_db()
    assert need.state == NeedState.CLAIMED
    hold(second.activity, other_secretary)
    need.refresh_from_db()
    assert need.state == NeedState.FULFILLED


def test_fulfilment_recomputed_when_signals_were_bypassed(world, secretary_user):

    need = post_need(world, people_wanted=1)
    claim = need_claim(need=need, organization=world.tree.branch_a, acting_user=secretary_user)
    claim = claim_accept(claim=claim, acting_user=world.liaison)
    Activity.objects.filter(pk=claim.activity_id).update(status="held")  # no signal
    need.refresh_from_db()
    assert need.state == NeedState.CLAIMED
    assert claims_sync_fulfilment() == 1
    need.refresh_from_db()
    assert need.state == NeedState.FULFILLED


def test_claiming_ones_own_need_is_refused(world, make_user):
    community_secretary = make_user(
        "community_secretary", role="secretary", organization=world.community_org
    )
    need = post_need(world)
    with pytest.raises(CoordinationError, match="own need"):
        need_claim(need=need, organization=world.community_org, acting_user=community_secretary)
    assert Claim.objects.count() == 0


def test_claiming_ones_own_resource_is_refused(world):
    resource = resource_post(
        acting_user=system_actor(),
        organization=world.community_org,
        title="社区活动室开放",
        category="other",
        available_from=days(0),
        available_until=days(30),
    )
    with pytest.raises(CoordinationError, match="own resource"):
        resource_claim(resource=resource, acting_user=world.liaison)
    assert Claim.objects.count() == 0


def test_accepting_an_already_declined_claim_is_refused(world, secretary_user):
    need = post_need(world)
    claim = need_claim(need=need, organization=world.tree.branch_a, acting_user=secretary_user)
    claim_decline(claim=claim, acting_user=world.liaison, reason="人数已够")
    with pytest.raises(CoordinationError, match="already declined"):
        claim_accept(claim=claim, acting_user=world.liaison)
    claim.refresh_from_db()
    assert claim.state == ClaimState.DECLINED
    assert claim.activity is None

    assert Activity.objects.count() == 0


def test_wanted_by_in_the_past_is_refused(world):
    with pytest.raises(CoordinationError, match="past"):
        post_need(world, wanted_by=days(-1))
    assert Need.objects.count() == 0


def test_only_the_posting_side_decides_and_only_own_organization_claims(
    world, secretary_user, other_secretary
):
    need = post_need(world)
    with pytest.raises(CoordinationError, match="own organization"):
        need_claim(need=need, organization=world.tree.branch_a, acting_user=other_secretary)
    claim = need_claim(need=need, organization=world.tree.branch_a, acting_user=secretary_user)
    with pytest.raises(CoordinationError, match="posted the item"):
        claim_accept(claim=claim, acting_user=secretary_user)
    with pytest.raises(CoordinationError, match="claiming organization"):
        claim_withdraw(claim=claim, acting_user=other_secretary)
    claim = claim_withdraw(claim=claim, acting_user=secretary_user)
    assert claim.state == ClaimState.WITHDRAWN
    # Withdrawn claims free the organization to claim again.
    need_claim(need=need, organization=world.tree.branch_a, acting_user=secretary_user)
    with pytest.raises(CoordinationError, match="already claimed"):
        need_claim(need=need, organization=world.tree.branch_a, acting_user=secretary_user)


def test_open_needs_past_wanted_by_read_as_expired_and_can_be_stored(world, staff_user):
    need = post_need(world)
    Need.objects.filter(pk=need.pk).update(wanted_by=days(-2))
    assert needs_for(staff_user).get(pk=need.pk).current_state == NeedState.EXPIRED
    with pytest.raises(CoordinationError, match="expired"):
        need_claim(need=need, organization=world.tree.branch_a, acting_user=system_actor())
    assert needs_expire() == 1
    need.refresh_from_db()
    assert need.state == NeedState.EXPIRED


def test_withdrawn_need_cannot_be_claimed(world, secretary_user):
    need = post_need(world)
    need_withdraw(need=need, acting_user=world.liaison)
    with pytest.raises(CoordinationError, match="no longer open"):
        need_claim(need=need, organization=world.tree.branch_a, acting_user=secretary_user)


def test_resource_period_in_order_and_not_over(world, secretary_user):
    with pytest.raises(CoordinationError, match="before its start"):
        resource_post(
            acting_user=secretary_user,
            organization=world.tree.branch_a,
            title="义诊",
            category="health",
            available_from=days(10),
            available_until=days(5),
        )
    assert Resource.objects.count() == 0


def test_rota_shift_needs_the_mediation_or_law_skill(world, staff_user):
    studio = studio_create(
        acting_user=staff_user,
        community=world.community,
        name="老王说和室",
        host_organization=world.legal_branch,
    )
    lawyer = make_member(world.legal_branch, "王法明", skills=["法律"])
    painter = make_member(world.legal_branch, "李墨香", skills=["书画"])
    shift = rota_shift_add(
        studio=studio, member=lawyer, date=days(3), acting_user=world.studio_secretary
    )
    assert shift.pk
    with pytest.raises(CoordinationError, match="李墨香"):
        rota_shift_add(
            studio=studio, member=painter, date=days(3), acting_user=world.studio_secretary
        )
    with pytest.raises(CoordinationError, match="already on the rota"):
        rota_shift_add(
            studio=studio, member=lawyer, date=days(3), acting_user=world.studio_secretary
        )
    assert RotaShift.objects.count() == 1


def test_case_parties_without_id_numbers(world, staff_user, secretary_user):
    studio = studio_create(
        acting_user=staff_user,
        community=world.community,
        name="老王说和室",
        host_organization=world.legal_branch,
    )
    mediator = make_member(world.legal_branch, "王法明", skills=["调解"])
    fields = {
        "studio": studio,
        "date": days(-1),
        "kind": "neighbours",
        "summary": "楼上漏水引发纠纷",
        "outcome": "resolved",
        "mediators": [mediator],
    }
    with pytest.raises(CoordinationError, match="ID numbers"):
        mediation_case_record(
            acting_user=world.studio_secretary,
            parties="张某（身份证 640104195003011234）与李某",
            **fields,
        )
    with pytest.raises(CoordinationError, match="case log"):
        mediation_case_record(acting_user=secretary_user, parties="张某与李某", **fields)
    case = mediation_case_record(
        acting_user=world.studio_secretary, parties="3号楼张某与4号楼李某", **fields
    )
    assert list(case.mediators.all()) == [mediator]
    assert MediationCase.objects.count() == 1
    assert case.date == timezone.localdate() - datetime.timedelta(days=1)
