"""Committee elections (换届选举): the reads and every write, keyword-only and atomic.

The steps, each a page (branches.election_views):
1. `election_open` — the organization's secretary plans the election: date, seats and the
   candidates (full members only);
2. `election_approve_plan` — bureau staff approve the plan;
3. `election_enter_results` — after the vote the secretary enters the votes per candidate
   and who was elected to which seat;
4. `election_approve_result` — bureau staff approve the result: in ONE transaction the old
   term stops being current, the new term starts on the day of the vote and gets its seats,
   and the election is closed. Any refusal on the way leaves everything as it was.
`election_cancel` withdraws an election that is still open.

The rules (DOMAIN.md; 支部工作条例 2018, 基层组织任期意见 2018, the Party constitution on votes):
a branch needs at least 3 full members; 7 or more full members elect a committee of 3 to 7
seats, fewer elect a secretary (and at most a deputy) only; an early election is at most one
year before the term ends; only full members are candidates and voters; the vote is valid with
more than four fifths of the voters present, and a candidate is elected with the votes of more
than half of those present.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import (
    OPEN_ELECTION_STATES,
    CommitteeTerm,
    Election,
    ElectionCandidate,
    ElectionState,
    Kind,
    Organization,
    Position,
    Status,
    visible_q,
)
from branches.selectors import (
    COMMITTEE_FROM_FULL_MEMBERS,
    MEMBER_NORMAL,
    MIN_FULL_MEMBERS,
    secretaries_of,
)
from branches.services import MAX_EXTENSION_DAYS, committee_position_add, committee_term_start
from core.errors import ServiceError
from core.history import bulk_create_with_action, bulk_update_with_action, save_with_action
from core.models import Role, User
from core.notifications import notify
from core.permissions import organization_in_scope
from core.selectors import get_or_404

# Organizations that elect a committee (a party group elects no committee of its own).
ELECTING_KINDS = (Kind.BRANCH, Kind.GENERAL_BRANCH, Kind.JOINT_COMMITTEE)
SMALL_SEATS_MAX = 2  # below 7 full members: a secretary and at most a deputy
COMMITTEE_SEATS_MIN = 3
COMMITTEE_SEATS_MAX = 7
# members.PartyStanding.NORMAL (branches imports nothing of the members app).
STANDING_NORMAL = "normal"

ELECTION_OPEN = "branches.election.open"
ELECTION_APPROVE_PLAN = "branches.election.approve_plan"
ELECTION_ENTER_RESULTS = "branches.election.enter_results"
ELECTION_APPROVE_RESULT = "branches.election.approve_result"
ELECTION_CANCEL = "branches.election.cancel"
CANDIDATE_ADD = "branches.election_candidate.add"
CANDIDATE_RESULT = "branches.election_candidate.result"

NOTIFY_KIND = "election"


class ElectionError(ServiceError):
    """An election step the rules do not allow; the message says why (translated)."""


# --- Reads -----------------------------------------------------------------------------------


def full_members_of(organization: Organization) -> QuerySet:
    """Members (members.Member, by its reverse name) who may stand and vote: the relation is
    in this organization, normal status and party standing, full membership (转正)."""
    return organization.members.filter(
        status=MEMBER_NORMAL, party_standing=STANDING_NORMAL, confirmed_on__isnull=False
    ).order_by("name", "pk")


def elections_for(user) -> QuerySet[Election]:
    """The elections of the organizations `user` may see."""
    return (
        Election.objects.filter(visible_q(user, "organization"))
        .select_related("organization")
        .annotate(candidate_count=Count("candidates"))
    )


def get_election_for(user, organization: Organization, pk) -> Election:
    """One election of an organization the user sees (the organization was read through the
    user's scope already); Http404 for another organization's election."""
    return get_or_404(
        Election.objects.select_related("organization", "old_term", "new_term"),
        pk,
        organization=organization,
    )


def open_election_of(organization: Organization) -> Election | None:
    return (
        Election.objects.filter(organization=organization, state__in=OPEN_ELECTION_STATES)
        .order_by("-pk")
        .first()
    )


def candidates_of(election: Election) -> list[ElectionCandidate]:
    return list(
        election.candidates.select_related("member").order_by("-votes", "member__name", "pk")
    )


# --- Checks ----------------------------------------------------------------------------------


def _check_secretary(acting_user: User, organization: Organization) -> None:
    if acting_user.is_bureau_staff:
        return
    if not (acting_user.is_secretary and organization_in_scope(acting_user, organization)):
        raise ElectionError(_("Only the secretary of this organization can do this."))


def _check_bureau(acting_user: User) -> None:
    if not acting_user.is_bureau_staff:
        raise ElectionError(_("Only bureau staff can approve an election."))


def _locked(election: Election) -> Election:
    return (
        # Only the election's row is locked ("of"): PostgreSQL cannot lock the nullable side
        # of the outer join to old_term.
        Election.objects.select_for_update(of=("self",))
        .select_related("organization", "old_term")
        .get(pk=election.pk)
    )


def _check_state(election: Election, *states: str) -> None:
    if election.state not in states:
        raise ElectionError(
            _("This step is not possible now: the election is at “%(state)s”.")
            % {"state": election.get_state_display()}
        )


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ElectionError.from_validation_error(error) from error


def check_seats(*, full_members: int, seats: int) -> None:
    """The committee rules of DOMAIN.md for `seats` given the number of full members."""
    if full_members >= COMMITTEE_FROM_FULL_MEMBERS:
        if not COMMITTEE_SEATS_MIN <= seats <= COMMITTEE_SEATS_MAX:
            raise ElectionError(
                _("With %(n)s full members the organization elects a committee of 3 to 7 seats.")
                % {"n": full_members},
                field="seats",
            )
    elif not 1 <= seats <= SMALL_SEATS_MAX:
        raise ElectionError(
            _(
                "With fewer than 7 full members (%(n)s) no committee is formed: elect a "
                "secretary and at most a deputy secretary (1 or 2 seats)."
            )
            % {"n": full_members},
            field="seats",
        )


# --- Writes ----------------------------------------------------------------------------------


def _bureau_staff() -> list[User]:
    return list(User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk"))


@transaction.atomic
def election_open(
    *,
    organization: Organization,
    acting_user: User,
    planned_on: datetime.date,
    seats: int,
    candidate_ids: Iterable[int],
    plan_note: str = "",
    today: datetime.date | None = None,
) -> Election:
    """Step 1: the plan (date, seats, candidates), awaiting the bureau's approval."""
    today = today or timezone.localdate()
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _check_secretary(acting_user, organization)
    if organization.status != Status.ACTIVE:
        raise ElectionError(_("A dissolved organization holds no elections."))
    if organization.kind not in ELECTING_KINDS:
        raise ElectionError(
            _("Only a branch, a general branch or a party committee elects a committee.")
        )
    if open_election_of(organization) is not None:
        raise ElectionError(_("This organization already has an election under way."))
    full_members = {member.pk: member for member in full_members_of(organization)}
    if organization.kind == Kind.BRANCH and len(full_members) < MIN_FULL_MEMBERS:
        raise ElectionError(
            _("A branch needs at least 3 full members to hold an election; it has %(n)s.")
            % {"n": len(full_members)}
        )
    if seats is None or seats < 1:
        raise ElectionError(_("Give the number of seats."), field="seats")
    check_seats(full_members=len(full_members), seats=seats)
    if planned_on is None:
        raise ElectionError(_("Give the date of the election."), field="planned_on")
    if planned_on < today:
        raise ElectionError(_("The election date cannot be in the past."), field="planned_on")
    old_term = CommitteeTerm.objects.filter(organization=organization, is_current=True).first()
    if old_term is not None:
        term_end = old_term.extended_until or old_term.ends_on
        if (term_end - planned_on).days > MAX_EXTENSION_DAYS:
            raise ElectionError(
                _(
                    "The current term ends on %(day)s: an early election may be held at most "
                    "one year before the term ends."
                )
                % {"day": term_end.isoformat()},
                field="planned_on",
            )
    chosen = list(dict.fromkeys(int(pk) for pk in candidate_ids))
    members = organization.members.filter(pk__in=chosen).order_by("name", "pk")
    for member in members:
        if member.pk not in full_members:
            raise ElectionError(
                _("%(name)s is not a full member: only full members can be candidates.")
                % {"name": member.name},
                field="candidates",
            )
    if len(members) != len(chosen):
        raise ElectionError(
            _("Candidates must be members of this organization."), field="candidates"
        )
    if len(chosen) < seats:
        raise ElectionError(
            _("Name at least as many candidates as seats (%(seats)s seats, %(n)s candidates).")
            % {"seats": seats, "n": len(chosen)},
            field="candidates",
        )
    election = Election(
        organization=organization,
        old_term=old_term,
        planned_on=planned_on,
        seats=seats,
        plan_note=plan_note.strip(),
        eligible_voters=len(full_members),
        created_by=acting_user,
    )
    _full_clean(election)
    save_with_action(election, ELECTION_OPEN)
    bulk_create_with_action(
        ElectionCandidate,
        [ElectionCandidate(election=election, member_id=pk) for pk in chosen],
        CANDIDATE_ADD,
        acting_user=acting_user,
    )
    notify(
        recipients=_bureau_staff(),
        kind=NOTIFY_KIND,
        title=_("%(organization)s: election plan awaiting approval")
        % {"organization": organization.name},
        url=election.get_absolute_url(),
        key=f"election-plan:{election.pk}",
    )
    return election


@transaction.atomic
def election_approve_plan(*, election: Election, acting_user: User, note: str = "") -> Election:
    """Step 2: the bureau approves the plan."""
    _check_bureau(acting_user)
    election = _locked(election)
    _check_state(election, ElectionState.PLANNED)
    election.state = ElectionState.PLAN_APPROVED
    election.plan_decided_by = acting_user
    election.plan_decided_at = timezone.now()
    election.decision_note = note.strip()[:200]
    _full_clean(election)
    save_with_action(election, ELECTION_APPROVE_PLAN)
    organization = election.organization
    notify(
        recipients=secretaries_of([organization])[organization.pk],
        kind=NOTIFY_KIND,
        title=_("%(organization)s: the election plan is approved")
        % {"organization": organization.name},
        url=election.get_absolute_url(),
        key=f"election-plan-approved:{election.pk}",
    )
    return election


@transaction.atomic
def election_enter_results(
    *,
    election: Election,
    acting_user: User,
    held_on: datetime.date,
    voters_present: int,
    results: Mapping[int, tuple[int | None, str]],
    today: datetime.date | None = None,
) -> Election:
    """Step 3: the vote's result — {candidate id: (votes, position or "")}. Can be entered
    again (corrected) until the bureau approves it."""
    today = today or timezone.localdate()
    election = _locked(election)
    _check_secretary(acting_user, election.organization)
    _check_state(election, ElectionState.PLAN_APPROVED, ElectionState.RESULTS_ENTERED)
    if held_on is None:
        raise ElectionError(_("Give the day of the vote."), field="held_on")
    if held_on > today:
        raise ElectionError(_("The result can be entered only after the vote."), field="held_on")
    if voters_present is None or voters_present < 1:
        raise ElectionError(_("Give the number of voters present."), field="voters_present")
    if voters_present > election.eligible_voters:
        raise ElectionError(
            _("More voters present (%(present)s) than members entitled to vote (%(eligible)s).")
            % {"present": voters_present, "eligible": election.eligible_voters},
            field="voters_present",
        )
    if voters_present * 5 <= election.eligible_voters * 4:
        raise ElectionError(
            _(
                "Only %(present)s of %(eligible)s members entitled to vote were present: the "
                "vote is valid only with more than four fifths present."
            )
            % {"present": voters_present, "eligible": election.eligible_voters},
            field="voters_present",
        )
    candidates = candidates_of(election)
    if set(results) != {c.pk for c in candidates}:
        raise ElectionError(_("Enter the votes of every candidate."))
    elected = []
    for candidate in candidates:
        votes, position = results[candidate.pk]
        name = candidate.member.name
        if votes is None or votes < 0:
            raise ElectionError(_("Enter the votes of %(name)s.") % {"name": name})
        if votes > voters_present:
            raise ElectionError(
                _("%(name)s cannot have more votes (%(votes)s) than voters present.")
                % {"name": name, "votes": votes}
            )
        if position and position not in Position.values:
            raise ElectionError(_("Choose a seat from the list."))
        if position and votes * 2 <= voters_present:
            raise ElectionError(
                _(
                    "%(name)s received %(votes)s votes, not more than half of the %(present)s "
                    "voters present, and cannot be elected."
                )
                % {"name": name, "votes": votes, "present": voters_present}
            )
        candidate.votes = votes
        candidate.position = position or ""
        if position:
            elected.append(candidate)
    if len(elected) != election.seats:
        raise ElectionError(
            _("Elect exactly one candidate per seat: %(seats)s seats, %(n)s elected.")
            % {"seats": election.seats, "n": len(elected)}
        )
    positions = [c.position for c in elected]
    if positions.count(Position.SECRETARY) != 1:
        raise ElectionError(_("Exactly one of the elected must be the secretary."))
    if positions.count(Position.DEPUTY_SECRETARY) > 1:
        raise ElectionError(_("At most one deputy secretary can be elected."))
    bulk_update_with_action(
        ElectionCandidate,
        candidates,
        ["votes", "position"],
        CANDIDATE_RESULT,
        acting_user=acting_user,
    )
    election.held_on = held_on
    election.voters_present = voters_present
    election.state = ElectionState.RESULTS_ENTERED
    _full_clean(election)
    save_with_action(election, ELECTION_ENTER_RESULTS)
    notify(
        recipients=_bureau_staff(),
        kind=NOTIFY_KIND,
        title=_("%(organization)s: election result awaiting approval")
        % {"organization": election.organization.name},
        url=election.get_absolute_url(),
        key=f"election-result:{election.pk}:{held_on:%Y%m%d}:{voters_present}",
    )
    return election


@transaction.atomic
def election_approve_result(*, election: Election, acting_user: User, note: str = "") -> Election:
    """Step 4, one transaction: the old term ends, the new term starts on the day of the
    vote with a seat per elected candidate, the election is closed."""
    _check_bureau(acting_user)
    election = _locked(election)
    _check_state(election, ElectionState.RESULTS_ENTERED)
    organization = election.organization
    current = CommitteeTerm.objects.filter(organization=organization, is_current=True).first()
    if current is not None and current.pk != getattr(election.old_term, "pk", None):
        raise ElectionError(
            _("The organization's current term changed after the plan: cancel and plan again.")
        )
    try:
        term = committee_term_start(
            organization=organization, acting_user=acting_user, started_on=election.held_on
        )
        for candidate in election.candidates.filter(~Q(position="")).select_related("member"):
            committee_position_add(
                term=term,
                acting_user=acting_user,
                position=candidate.position,
                member=candidate.member,
            )
    except ValidationError as error:
        raise ElectionError.from_validation_error(error) from error
    election.new_term = term
    election.state = ElectionState.CLOSED
    election.result_decided_by = acting_user
    election.result_decided_at = timezone.now()
    if note.strip():
        election.decision_note = note.strip()[:200]
    _full_clean(election)
    save_with_action(election, ELECTION_APPROVE_RESULT)
    notify(
        recipients=secretaries_of([organization])[organization.pk],
        kind=NOTIFY_KIND,
        title=_("%(organization)s: the election result is approved, the new term has begun")
        % {"organization": organization.name},
        url=election.get_absolute_url(),
        key=f"election-closed:{election.pk}",
    )
    return election


@transaction.atomic
def election_cancel(*, election: Election, acting_user: User, reason: str) -> Election:
    """Withdraw an open election (a wrong plan is cancelled and planned again)."""
    election = _locked(election)
    _check_secretary(acting_user, election.organization)
    _check_state(election, *OPEN_ELECTION_STATES)
    if not reason.strip():
        raise ElectionError(_("Give the reason for cancelling."), field="reason")
    election.state = ElectionState.CANCELLED
    election.decision_note = reason.strip()[:200]
    _full_clean(election)
    save_with_action(election, ELECTION_CANCEL)
    return election
