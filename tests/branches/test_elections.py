"""Elections (换届选举) from plan to approved result: the rules and the one transaction."""

from __future__ import annotations

import datetime

import pytest

from branches import elections
from branches.elections import ElectionError
from branches.models import CommitteePosition, CommitteeTerm, Election, ElectionState
from branches.services import committee_term_start
from tests.branches.conftest import add_members

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)


@pytest.fixture
def branch(org_tree, staff_user):
    committee_term_start(
        organization=org_tree.branch_a,
        acting_user=staff_user,
        started_on=datetime.date(2022, 7, 1),
    )
    return org_tree.branch_a


def plan(branch, secretary, members, *, seats=3, planned_on=TODAY, **kwargs):
    return elections.election_open(
        organization=branch,
        acting_user=secretary,
        planned_on=planned_on,
        seats=seats,
        candidate_ids=[m.pk for m in members],
        today=TODAY,
        **kwargs,
    )


def enter(
    election, secretary, *, present=8, positions=("secretary", "deputy_secretary", "organization")
):
    candidates = elections.candidates_of(election)
    results = {}
    for index, candidate in enumerate(candidates):
        position = positions[index] if index < len(positions) else ""
        results[candidate.pk] = (present if position else 1, position)
    return elections.election_enter_results(
        election=election,
        acting_user=secretary,
        held_on=TODAY,
        voters_present=present,
        results=results,
        today=TODAY,
    )


def test_plan_to_approved_result_closes_old_term_and_creates_new_with_seats(
    branch, secretary_user, staff_user
):
    members = add_members(branch, 9)
    old = CommitteeTerm.objects.get(organization=branch, is_current=True)
    election = plan(branch, secretary_user, members[:4])
    assert election.state == ElectionState.PLANNED
    assert election.eligible_voters == 9
    elections.election_approve_plan(election=election, acting_user=staff_user)
    enter(election, secretary_user)
    election = elections.election_approve_result(election=election, acting_user=staff_user)

    assert election.state == ElectionState.CLOSED
    old.refresh_from_db()
    assert old.is_current is False
    new = CommitteeTerm.objects.get(organization=branch, is_current=True)
    assert election.new_term == new
    assert new.started_on == TODAY
    assert new.ends_on == datetime.date(2028, 6, 1)
    seats = {(p.position, p.member_id) for p in CommitteePosition.objects.filter(term=new)}
    assert len(seats) == 3
    assert {position for position, _m in seats} == {"secretary", "deputy_secretary", "organization"}
    assert {m for _p, m in seats} <= {m.pk for m in members[:4]}


def test_nothing_changes_when_the_last_step_fails(branch, secretary_user, staff_user, monkeypatch):
    members = add_members(branch, 9)
    election = plan(branch, secretary_user, members[:4])
    elections.election_approve_plan(election=election, acting_user=staff_user)
    enter(election, secretary_user)
    terms_before = list(CommitteeTerm.objects.values_list("pk", "is_current").order_by("pk"))
    real_save = elections.save_with_action

    def failing_save(instance, action, **kwargs):
        if action == elections.ELECTION_APPROVE_RESULT:
            raise RuntimeError("disk full")
        return real_save(instance, action, **kwargs)

    monkeypatch.setattr(elections, "save_with_action", failing_save)
    with pytest.raises(RuntimeError):
        elections.election_approve_result(election=election, acting_user=staff_user)

    assert (
        list(CommitteeTerm.objects.values_list("pk", "is_current").order_by("pk")) == terms_before
    )
    assert CommitteePosition.objects.count() == 0
    election.refresh_from_db()
    assert election.state == ElectionState.RESULTS_ENTERED
    assert election.new_term is None


def test_a_refused_seat_leaves_everything_as_it_was(branch, secretary_user, staff_user, org_tree):
    """An elected member moved to another organization before the approval: refused, in
    Chinese, and the old term stays current."""
    members = add_members(branch, 9)
    election = plan(branch, secretary_user, members[:4])
    elections.election_approve_plan(election=election, acting_user=staff_user)
    enter(election, secretary_user)
    elected = election.candidates.exclude(position="").first().member
    type(elected).objects.filter(pk=elected.pk).update(organization=org_tree.branch_b)
    with pytest.raises(ElectionError, match="组织关系"):
        elections.election_approve_result(election=election, acting_user=staff_user)
    assert CommitteeTerm.objects.get(
        organization=branch, is_current=True
    ).started_on == datetime.date(2022, 7, 1)
    assert CommitteeTerm.objects.filter(organization=branch).count() == 1


def test_a_branch_needs_three_full_members(branch, secretary_user):
    members = add_members(branch, 2) + add_members(branch, 3, full=False)
    with pytest.raises(ElectionError, match="至少 ?3 ?名正式党员") as info:
        plan(branch, secretary_user, members[:1], seats=1)
    assert "2" in str(info.value)


def test_committee_from_seven_full_members(branch, secretary_user):
    small = add_members(branch, 5)
    with pytest.raises(ElectionError, match="不设支部委员会|不足 ?7"):
        plan(branch, secretary_user, small, seats=3)
    election = plan(branch, secretary_user, small[:2], seats=1)
    assert election.seats == 1


def test_seven_full_members_elect_three_to_seven_seats(branch, secretary_user):
    members = add_members(branch, 7)
    with pytest.raises(ElectionError, match="3.*7"):
        plan(branch, secretary_user, members, seats=2)


def test_only_full_members_are_candidates(branch, secretary_user):
    add_members(branch, 7)
    probationary = add_members(branch, 1, full=False)[0]
    with pytest.raises(ElectionError, match="不是正式党员") as info:
        plan(
            branch,
            secretary_user,
            [probationary, *branch.members.filter(confirmed_on__isnull=False)[:3]],
        )
    assert probationary.name in str(info.value)


def test_an_early_election_at_most_a_year_before_the_term_ends(
    org_tree, staff_user, secretary_user
):
    committee_term_start(
        organization=org_tree.branch_a, acting_user=staff_user, started_on=datetime.date(2025, 1, 1)
    )
    members = add_members(org_tree.branch_a, 7)
    with pytest.raises(ElectionError, match="提前.*一年"):
        plan(org_tree.branch_a, secretary_user, members[:3])


def test_one_election_at_a_time_and_not_for_another_organization(
    branch, secretary_user, other_secretary
):
    members = add_members(branch, 7)
    plan(branch, secretary_user, members[:3])
    with pytest.raises(ElectionError, match="正在进行"):
        plan(branch, secretary_user, members[:3])
    with pytest.raises(ElectionError, match="书记"):
        plan(branch, other_secretary, members[:3])


def test_only_the_bureau_approves(branch, secretary_user):
    members = add_members(branch, 7)
    election = plan(branch, secretary_user, members[:3])
    with pytest.raises(ElectionError, match="老干部局"):
        elections.election_approve_plan(election=election, acting_user=secretary_user)


@pytest.mark.parametrize(
    ("present", "positions", "message"),
    [
        (5, ("secretary", "deputy_secretary", "organization"), "五分之四"),
        (8, ("secretary", "deputy_secretary"), "3 个职位.*2 人当选|名额"),
        (8, ("organization", "deputy_secretary", "publicity"), "书记"),
    ],
)
def test_result_rules(branch, secretary_user, staff_user, present, positions, message):
    members = add_members(branch, 8)
    election = plan(branch, secretary_user, members[:4])
    elections.election_approve_plan(election=election, acting_user=staff_user)
    with pytest.raises(ElectionError, match=message):
        enter(election, secretary_user, present=present, positions=positions)
    election.refresh_from_db()
    assert election.state == ElectionState.PLAN_APPROVED


def test_elected_needs_more_than_half_of_the_votes(branch, secretary_user, staff_user):
    members = add_members(branch, 8)
    election = plan(branch, secretary_user, members[:3])
    elections.election_approve_plan(election=election, acting_user=staff_user)
    candidates = elections.candidates_of(election)
    results = {
        c.pk: (8, p)
        for c, p in zip(candidates, ("secretary", "organization", "publicity"), strict=True)
    }
    results[candidates[2].pk] = (4, "publicity")
    with pytest.raises(ElectionError, match="半数"):
        elections.election_enter_results(
            election=election,
            acting_user=secretary_user,
            held_on=TODAY,
            voters_present=8,
            results=results,
            today=TODAY,
        )


def test_cancelled_election_frees_the_way_for_a_new_plan(branch, secretary_user):
    members = add_members(branch, 7)
    election = plan(branch, secretary_user, members[:3])
    elections.election_cancel(election=election, acting_user=secretary_user, reason="候选人调整")
    assert Election.objects.get(pk=election.pk).state == ElectionState.CANCELLED
    assert plan(branch, secretary_user, members[:4]).state == ElectionState.PLANNED


def test_demo_elections_at_various_stages(org_tree, staff_user):
    import io
    from types import SimpleNamespace

    from branches import election_demo

    committee_term_start(
        organization=org_tree.branch_a, acting_user=staff_user, started_on=datetime.date(2022, 1, 1)
    )
    committee_term_start(
        organization=org_tree.branch_b, acting_user=staff_user, started_on=datetime.date(2022, 3, 1)
    )
    add_members(org_tree.branch_a, 8)
    add_members(org_tree.branch_b, 4)
    context = SimpleNamespace(scale=1, stdout=io.StringIO(), users={})
    election_demo.seed(context=context)
    states = set(Election.objects.values_list("state", flat=True))
    assert states == {ElectionState.PLANNED, ElectionState.PLAN_APPROVED}
    election_demo.seed(context=context)  # idempotent
    assert Election.objects.count() == 2
