"""Claims unanswered for 3 days remind the side that answers; open needs about to expire
remind the organization that posted them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alliance.models import Claim, ClaimState, Need, NeedState, Resource
from alliance.reminders import claims_unanswered, needs_expiring
from tests.factories import make_org

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def community_org(org_tree):
    return make_org(
        name="阅海万家社区党委",
        kind="community_org",
        district=org_tree.district,
        community=org_tree.community,
    )


def need(community_org, org_tree, *, wanted_in: int, state=NeedState.OPEN, title="楼道清理"):
    return Need.objects.create(
        title=title,
        category="environment",
        community=org_tree.community,
        posted_by_organization=community_org,
        wanted_by=TODAY + datetime.timedelta(days=wanted_in),
        state=state,
    )


def claim(*, days_ago: int, state=ClaimState.PENDING, **fields):
    made = Claim.objects.create(state=state, people=1, **fields)
    Claim.objects.filter(pk=made.pk).update(
        claimed_at=at(TODAY - datetime.timedelta(days=days_ago), 23)
    )
    return made


def test_three_days_reminds_two_days_does_not(org_tree, secretary_user, other_secretary):
    resource = Resource.objects.create(
        title="书法进社区",
        category="culture",
        organization=org_tree.branch_a,
        available_from=TODAY,
        available_until=TODAY + datetime.timedelta(days=30),
    )
    late = claim(days_ago=3, resource=resource, claiming_organization=org_tree.branch_b)
    claim(days_ago=2, resource=resource, claiming_organization=org_tree.joint)
    claim(
        days_ago=9,
        resource=resource,
        claiming_organization=org_tree.group_a1,
        state=ClaimState.ACCEPTED,
    )
    (reminder,) = claims_unanswered(TODAY)
    assert reminder.key == f"claim-unanswered:{late.pk}"
    assert reminder.recipients == [secretary_user]  # the provider answers, not the claimant
    assert "书法进社区" in reminder.title and org_tree.branch_b.name in reminder.title
    assert reminder.url == f"/alliance/claims/{late.pk}/"


def test_a_claim_on_a_need_reminds_the_community_liaison(
    org_tree, community_org, liaison_user, other_secretary
):
    posted = need(community_org, org_tree, wanted_in=20)
    claim(days_ago=4, need=posted, claiming_organization=org_tree.branch_b)
    (reminder,) = claims_unanswered(TODAY)
    assert reminder.recipients == [liaison_user]


@pytest.mark.parametrize(("wanted_in", "reminded"), [(8, False), (7, True), (0, True), (-1, False)])
def test_needs_expiring_within_7_days(org_tree, community_org, liaison_user, wanted_in, reminded):
    posted = need(community_org, org_tree, wanted_in=wanted_in)
    reminders = needs_expiring(TODAY)
    assert bool(reminders) is reminded
    if reminded:
        assert reminders[0].recipients == [liaison_user]
        assert "楼道清理" in reminders[0].title and community_org.name in reminders[0].title
        assert reminders[0].url == f"/alliance/needs/{posted.pk}/"


def test_a_claimed_need_does_not_expire(org_tree, community_org, liaison_user):
    need(community_org, org_tree, wanted_in=3, state=NeedState.CLAIMED)
    assert needs_expiring(TODAY) == []
