"""Writes of co-training (党员联培): training sessions, micro-lecture contests and their
judges' scores, lecture teams."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from activities.models import Contest, ContestEntry, JudgeScore, LectureTeam, TrainingSession
from activities.services.common import ActivityError, acts_for_bureau, check_scope, full_clean
from core.models import User
from members.selectors import members_for


def _check_trainees(acting_user: User, trainees: list, *, keep=()) -> None:
    """A secretary names only members they read (their subtree); those already listed on the
    session (`keep`, e.g. added by the bureau) may stay."""
    if acts_for_bureau(acting_user):
        return
    kept = {member.pk for member in keep}
    ids = {member.pk for member in trainees} - kept
    if ids and members_for(acting_user).filter(pk__in=ids).count() != len(ids):
        raise ActivityError(
            _("Trainees can only be members of your own organization."), field="trainees"
        )


@transaction.atomic
def judge_score_record(
    *, entry: ContestEntry, judge: str, score: Decimal | float | str, acting_user: User
) -> JudgeScore:
    if not acts_for_bureau(acting_user):
        raise ActivityError(_("Only bureau staff record the judges' scores."))
    item = JudgeScore.objects.filter(entry=entry, judge=judge.strip()).first() or JudgeScore(
        entry=entry, judge=judge.strip()
    )
    item.score = Decimal(str(score))
    full_clean(item, validate_constraints=False)
    try:
        item.save()
    except IntegrityError as exc:
        raise ActivityError(_("The score must be between 0 and 100.")) from exc
    return item


@transaction.atomic
def training_create(*, acting_user: User, trainees: Iterable = (), **fields) -> TrainingSession:
    """A co-training session (党员联培) with its trainees."""
    check_scope(acting_user, fields.get("organization"))
    trainees = list(trainees)
    _check_trainees(acting_user, trainees)
    session = TrainingSession(**fields)
    full_clean(session)
    session.save()
    session.trainees.set(list(trainees))
    return session


@transaction.atomic
def training_update(
    *, session: TrainingSession, acting_user: User, trainees: Iterable | None = None, **fields
) -> TrainingSession:
    """Change a co-training session: kind, title, date, hours, trainers and, if given, trainees.
    A secretary keeps sessions organized in their subtree and may not move one out of it."""
    check_scope(acting_user, session.organization)
    allowed = {"title", "kind", "organization", "date", "hours", "trainers"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    if "organization" in fields:
        check_scope(acting_user, fields["organization"])
    if trainees is not None:
        trainees = list(trainees)
        _check_trainees(acting_user, trainees, keep=session.trainees.all())
    for name, value in fields.items():
        setattr(session, name, value)
    full_clean(session)
    session.save()
    if trainees is not None:
        session.trainees.set(list(trainees))
    return session


@transaction.atomic
def contest_entry_update(
    *, entry: ContestEntry, member, title: str, acting_user: User
) -> ContestEntry:
    """Correct an entry's lecturer or lecture title; the judges' scores stay with the entry."""
    if not acts_for_bureau(acting_user):
        raise ActivityError(_("Only bureau staff run micro-lecture contests."))
    if (
        ContestEntry.objects.filter(contest_id=entry.contest_id, member=member)
        .exclude(pk=entry.pk)
        .exists()
    ):
        raise ActivityError(_("This member has already entered the contest."), field="member")
    entry.member = member
    entry.title = (title or "").strip()
    full_clean(entry)
    entry.save()
    return entry


@transaction.atomic
def contest_create(*, acting_user: User, title: str, year: int, organization) -> Contest:
    if not acts_for_bureau(acting_user):
        raise ActivityError(_("Only bureau staff run micro-lecture contests."))
    contest = Contest(title=title, year=year, organization=organization)
    full_clean(contest)
    contest.save()
    return contest


@transaction.atomic
def contest_entry_add(*, contest: Contest, member, title: str, acting_user: User) -> ContestEntry:
    if not acts_for_bureau(acting_user):
        raise ActivityError(_("Only bureau staff run micro-lecture contests."))
    if ContestEntry.objects.filter(contest=contest, member=member).exists():
        raise ActivityError(_("This member has already entered the contest."), field="member")
    entry = ContestEntry(contest=contest, member=member, title=title)
    full_clean(entry)
    entry.save()
    return entry


@transaction.atomic
def lecture_team_save(
    *, acting_user: User, team: LectureTeam | None = None, members: Iterable = (), **fields
) -> LectureTeam:
    if not acts_for_bureau(acting_user):
        raise ActivityError(_("Only bureau staff keep the lecture teams."))
    team = team or LectureTeam()
    for name, value in fields.items():
        setattr(team, name, value)
    full_clean(team)
    team.save()
    team.members.set(list(members))
    return team
