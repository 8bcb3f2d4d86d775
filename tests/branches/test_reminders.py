"""Committee terms ending within 90 days and overdue remind the nearest secretary."""

from __future__ import annotations

import datetime

import pytest

from branches.reminders import terms_ending, terms_overdue
from branches.selectors import secretaries_of
from branches.services import committee_term_start
from core.actors import system_actor

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


def term(org, *, ends_in: int, extended_in: int | None = None):
    result = committee_term_start(
        organization=org,
        acting_user=system_actor(),
        started_on=TODAY - datetime.timedelta(days=1000),
        ends_on=TODAY + datetime.timedelta(days=ends_in),
    )
    if extended_in is not None:
        result.extended_until = TODAY + datetime.timedelta(days=extended_in)
        result.save()
    return result


@pytest.mark.parametrize(
    ("ends_in", "ending", "overdue"),
    [(91, False, False), (90, True, False), (0, True, False), (-1, False, True)],
)
def test_the_90_day_boundary(org_tree, secretary_user, ends_in, ending, overdue):
    term(org_tree.branch_a, ends_in=ends_in)
    assert bool(terms_ending(TODAY)) is ending
    assert bool(terms_overdue(TODAY)) is overdue


def test_an_approved_extension_counts(org_tree, secretary_user):
    term(org_tree.branch_a, ends_in=-30, extended_in=200)
    assert terms_overdue(TODAY) == [] and terms_ending(TODAY) == []


def test_reminder_names_the_organization_and_goes_to_its_secretary(
    org_tree, secretary_user, other_secretary
):
    term(org_tree.branch_a, ends_in=30)
    (reminder,) = terms_ending(TODAY)
    assert reminder.recipients == [secretary_user]
    assert org_tree.branch_a.name in reminder.title
    assert reminder.url == f"/branches/{org_tree.branch_a.pk}/elections/new/"
    # overdue reminders come back once a month, with a new key
    term(org_tree.branch_b, ends_in=-5)
    (late,) = terms_overdue(TODAY)
    (next_month,) = [
        r
        for r in terms_overdue(TODAY + datetime.timedelta(days=31))
        if r.recipients == late.recipients
    ]
    assert late.recipients == [other_secretary] and late.key != next_month.key


def test_secretaries_of_falls_back_to_the_nearest_ancestor(org_tree, secretary_user, make_user):
    found = secretaries_of([org_tree.group_a1, org_tree.branch_a, org_tree.branch_b])
    assert found[org_tree.group_a1.pk] == [secretary_user]  # no account of its own
    assert found[org_tree.branch_a.pk] == [secretary_user]
    assert found[org_tree.branch_b.pk] == []  # nobody above it has an account
    own = make_user("group_sec", role="secretary", organization=org_tree.group_a1)
    assert secretaries_of([org_tree.group_a1])[org_tree.group_a1.pk] == [own]
