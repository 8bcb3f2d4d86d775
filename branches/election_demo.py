"""Demo elections (换届选举) for `seed_demo`, after the members step (candidates are members):
branches whose term ends soon or is overdue get an election at each stage — a plan awaiting
approval, an approved plan, a result awaiting approval — and a few are carried to the end
(the new term and its seats). Through the services, as the system actor; idempotent."""

from __future__ import annotations

import datetime
import random

from django.db.models import Count, Q
from django.utils import timezone

from branches import elections
from branches.models import CommitteeTerm, Election, Kind, Position, Status
from core.actors import system_actor

STAGES = ("planned", "plan_approved", "results_entered", "closed", "closed")


def _result(election, rng) -> dict:
    candidates = elections.candidates_of(election)
    present = election.eligible_voters
    seats = [
        Position.SECRETARY,
        Position.DEPUTY_SECRETARY,
        Position.ORGANIZATION,
        Position.PUBLICITY,
        Position.DISCIPLINE,
        Position.ORGANIZATION,
        Position.PUBLICITY,
    ]
    results = {}
    for index, candidate in enumerate(candidates):
        if index < election.seats:
            results[candidate.pk] = (present - rng.randint(0, present // 5), seats[index])
        else:
            results[candidate.pk] = (rng.randint(0, present // 2), "")
    return results


def seed(*, context) -> None:
    out = context.stdout
    if Election.objects.exists():
        out.write("elections: already seeded, nothing to do")
        return
    rng = random.Random(20220901 + 16)
    actor = system_actor()
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=365)
    terms = list(
        CommitteeTerm.objects.filter(
            is_current=True,
            organization__status=Status.ACTIVE,
            organization__kind=Kind.BRANCH,
            ends_on__lte=soon,
        )
        .annotate(
            full=Count(
                "organization__members",
                filter=Q(organization__members__status="normal")
                & Q(organization__members__confirmed_on__isnull=False),
            )
        )
        .filter(full__gte=3)
        .select_related("organization")
        .order_by("ends_on", "pk")[: len(STAGES) * context.scale]
    )
    made = 0
    for term, stage in zip(terms, STAGES * context.scale, strict=False):
        organization = term.organization
        full = list(elections.full_members_of(organization)[:12])
        n = elections.full_members_of(organization).count()
        seats = 3 if n >= 7 else 1
        planned_on = today + datetime.timedelta(days=rng.randint(10, 40))
        if stage in ("results_entered", "closed"):
            planned_on = today  # the vote is held today, so the result can be entered
        election = elections.election_open(
            organization=organization,
            acting_user=actor,
            planned_on=planned_on,
            seats=seats,
            candidate_ids=[m.pk for m in full[: seats + 1]],
            plan_note="召开支部党员大会，差额选举产生新一届支部委员会。",
        )
        if stage != "planned":
            elections.election_approve_plan(election=election, acting_user=actor, note="同意")
        if stage in ("results_entered", "closed"):
            elections.election_enter_results(
                election=election,
                acting_user=actor,
                held_on=today,
                voters_present=election.eligible_voters,
                results=_result(election, rng),
            )
        if stage == "closed":
            elections.election_approve_result(election=election, acting_user=actor)
        made += 1
    out.write(f"elections: {made} elections at various stages")
