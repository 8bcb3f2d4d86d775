"""Election pages: each step a page, permission tables, the organization page, the list."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches import elections
from branches.models import CommitteeTerm, ElectionState
from branches.services import committee_term_start
from tests.branches.conftest import add_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(org_tree, staff_user, secretary_user):
    committee_term_start(
        organization=org_tree.branch_a,
        acting_user=staff_user,
        started_on=timezone.localdate() - datetime.timedelta(days=3 * 365 - 30),
    )
    members = add_members(org_tree.branch_a, 8)
    return elections.election_open(
        organization=org_tree.branch_a,
        acting_user=secretary_user,
        planned_on=timezone.localdate(),
        seats=3,
        candidate_ids=[m.pk for m in members[:4]],
    )


def _user(request, role):
    names = {"other_secretary": "other_secretary"}
    return request.getfixturevalue(names.get(role, f"{role}_user"))


PAGES = {
    # name: (state the election is put in, {role: status})
    "election_open": (
        None,
        {
            "staff": 200,
            "secretary": 200,
            "other_secretary": 404,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 403,
        },
    ),
    "election_detail": (
        ElectionState.PLANNED,
        {
            "staff": 200,
            "secretary": 200,
            "other_secretary": 404,
            "viewer": 200,
            "supervisor": 200,
            "liaison": 200,
        },
    ),
    "election_approve_plan": (
        ElectionState.PLANNED,
        {
            "staff": 200,
            "secretary": 403,
            "other_secretary": 404,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 403,
        },
    ),
    "election_results": (
        ElectionState.PLAN_APPROVED,
        {
            "staff": 200,
            "secretary": 200,
            "other_secretary": 404,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 403,
        },
    ),
    "election_approve_result": (
        ElectionState.RESULTS_ENTERED,
        {
            "staff": 200,
            "secretary": 403,
            "other_secretary": 404,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 403,
        },
    ),
    "election_cancel": (
        ElectionState.PLANNED,
        {
            "staff": 200,
            "secretary": 200,
            "other_secretary": 404,
            "viewer": 403,
            "supervisor": 403,
            "liaison": 403,
        },
    ),
}
ROLES = ("anonymous", "staff", "secretary", "other_secretary", "viewer", "supervisor", "liaison")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_permission_table(client, request, org_tree, election, name, role):
    state, expected = PAGES[name]
    if state:
        type(election).objects.filter(pk=election.pk).update(state=state)
        args = [org_tree.branch_a.pk, election.pk]
    else:
        type(election).objects.filter(pk=election.pk).update(state=ElectionState.CANCELLED)
        args = [org_tree.branch_a.pk]
    if role != "anonymous":
        client.force_login(_user(request, role))
    response = client.get(reverse(f"branches:{name}", args=args))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected[role]


def test_the_whole_journey_through_the_pages(
    client, org_tree, election, staff_user, secretary_user
):
    a = org_tree.branch_a.pk
    client.force_login(staff_user)
    response = client.post(
        reverse("branches:election_approve_plan", args=[a, election.pk]), {"note": "同意"}
    )
    assert response.status_code == 302
    client.force_login(secretary_user)
    candidates = elections.candidates_of(election)
    data = {"held_on": timezone.localdate().isoformat(), "voters_present": 8}
    for candidate, position in zip(
        candidates, ("secretary", "organization", "publicity", ""), strict=True
    ):
        data[f"votes_{candidate.pk}"] = 8 if position else 2
        data[f"position_{candidate.pk}"] = position
    response = client.post(reverse("branches:election_results", args=[a, election.pk]), data)
    assert response.status_code == 302, response.content.decode()
    # a step in the wrong state sends back to the election's page
    again = client.get(reverse("branches:election_approve_plan", args=[a, election.pk]))
    assert again.status_code in (302, 403)
    client.force_login(staff_user)
    response = client.post(reverse("branches:election_approve_result", args=[a, election.pk]), {})
    assert response.status_code == 302
    term = CommitteeTerm.objects.get(organization=org_tree.branch_a, is_current=True)
    assert term.positions.count() == 3
    page = client.get(reverse("branches:detail", args=[a])).content.decode()
    assert "换届选举进行中" not in page


def test_refusal_is_shown_in_chinese_on_the_form(
    client, org_tree, election, staff_user, secretary_user
):
    a = org_tree.branch_a.pk
    elections.election_approve_plan(election=election, acting_user=staff_user)
    client.force_login(secretary_user)
    data = {"held_on": timezone.localdate().isoformat(), "voters_present": 5}
    for candidate in elections.candidates_of(election):
        data[f"votes_{candidate.pk}"] = 5
        data[f"position_{candidate.pk}"] = ""
    response = client.post(reverse("branches:election_results", args=[a, election.pk]), data)
    assert response.status_code == 200
    assert "五分之四" in response.content.decode()


def test_organization_page_shows_the_election_under_way(client, org_tree, election, secretary_user):
    client.force_login(secretary_user)
    page = client.get(reverse("branches:detail", args=[org_tree.branch_a.pk])).content.decode()
    assert "换届选举进行中" in page
    assert election.get_absolute_url() in page


def test_list_has_no_n_plus_one(client, org_tree, staff_user, secretary_user):
    client.force_login(staff_user)
    url = reverse("branches:elections")

    def make(n, prefix):
        from tests.factories import make_org

        for i in range(n):
            org = make_org(
                name=f"{prefix}{i}支部",
                kind="branch",
                category="established",
                parent=org_tree.committee,
            )
            members = add_members(org, 3)
            elections.election_open(
                organization=org,
                acting_user=staff_user,
                planned_on=timezone.localdate(),
                seats=1,
                candidate_ids=[members[0].pk],
            )

    make(2, "甲")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make(4, "乙")
    with CaptureQueriesContext(connection) as more:
        page = client.get(url)
    assert "乙3支部" in page.content.decode()
    assert len(more) == len(few)
