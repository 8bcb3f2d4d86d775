"""Scores: the supervisor's assessed scores, the secretary's self-assessment, totals and
ranks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import (
    ZERO,
    Assessment,
    Assignment,
    Item,
    ItemKind,
    ItemScore,
    RoundState,
    fmt_points,
)
from assessment.services.common import AssessmentError, StaleAssessmentError
from core.history import save_with_action


def compute_total(assessment: Assessment, scores: list[ItemScore] | None = None):
    """(total, vetoed): normal scores plus bonus scores up to the rubric's bonus cap."""
    if scores is None:
        scores = list(assessment.scores.select_related("item"))
    normal = sum((s.score or ZERO for s in scores if s.item.kind == ItemKind.NORMAL), ZERO)
    bonus = sum((s.score or ZERO for s in scores if s.item.kind == ItemKind.BONUS), ZERO)
    bonus = min(bonus, assessment.rubric.bonus_cap)
    vetoed = any(s.veto_triggered for s in scores if s.item.kind == ItemKind.VETO)
    return normal + bonus, vetoed


def competition_ranks(keys: list) -> list[int]:
    """Ranks for already-sorted keys, ties sharing a rank: (a, a, b) → 1, 1, 3."""
    ranks: list[int] = []
    for index, key in enumerate(keys):
        if index and key == keys[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    return ranks


# --- Scores --------------------------------------------------------------------------------


def _parse_points(value, *, code: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise AssessmentError(
            _("%(code)s: “%(value)s” is not a number.") % {"code": code, "value": value}
        ) from exc
    if not points.is_finite():
        raise AssessmentError(
            _("%(code)s: “%(value)s” is not a number.") % {"code": code, "value": value}
        )
    return points


def _check_bounds(points: Decimal | None, item: Item) -> None:
    if points is not None and not (ZERO <= points <= item.max_points):
        raise AssessmentError(
            _("%(code)s: the score must lie between 0 and %(max)s.")
            % {"code": item.code, "max": fmt_points(item.max_points)}
        )
    if points is not None and points != points.quantize(Decimal("0.01")):
        raise AssessmentError(_("%(code)s: use at most two decimal places.") % {"code": item.code})


def _lock_and_check_version(assessment: Assessment, version: int) -> Assessment:
    locked = (
        Assessment.objects.select_for_update()
        .select_related("round", "rubric", "organization")
        .get(pk=assessment.pk)
    )
    if int(version) != locked.version:
        changed = (
            locked.scores.filter(changed_in_version__gt=int(version))
            .select_related("item", "updated_by")
            .order_by("item__section__position", "item__position")
        )
        changes = []
        for s in changed:
            parts = [f"{s.item.code} {s.item.title}"]
            if s.score is not None:
                parts.append(_("assessed score %(score)s") % {"score": fmt_points(s.score)})
            if s.self_score is not None:
                parts.append(_("self score %(score)s") % {"score": fmt_points(s.self_score)})
            if s.comment:
                parts.append(_("comment “%(comment)s”") % {"comment": s.comment[:60]})
            if s.updated_by:
                parts.append(_("by %(user)s") % {"user": s.updated_by})
            changes.append("，".join(parts))
        raise StaleAssessmentError(
            _(
                "Someone else saved this assessment after you opened it (now version "
                "%(current)s, you opened version %(loaded)s). Nothing of yours was saved. "
                "Changed: %(changes)s. Reload the page and enter your changes again."
            )
            % {
                "current": locked.version,
                "loaded": version,
                "changes": "；".join(changes) or "—",
            },
            changes,
        )
    return locked


def can_score(user, assessment: Assessment) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.is_bureau_staff:
        return True
    return bool(
        user.is_supervisor
        and Assignment.objects.filter(
            round_id=assessment.round_id,
            organization_id=assessment.organization_id,
            supervisors=user,
        ).exists()
    )


def can_self_assess(user, assessment: Assessment) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_secretary
        and user.organization_id == assessment.organization_id
    )


@dataclass
class ScoreEntry:
    item_id: int
    score: object = None  # text or Decimal; blank = not scored
    comment: str = ""
    deduction_ids: list[int] = field(default_factory=list)
    veto: bool = False


@dataclass
class SelfEntry:
    item_id: int
    self_score: object = None
    self_note: str = ""


@dataclass
class _RowChange:
    """What one entry writes to its row: field values and (scoring only) the ticked
    deductions; `deduction_ids` None leaves the ticks alone."""

    values: dict
    deduction_ids: set[int] | None = None


@dataclass(frozen=True)
class _RowPath:
    """One of the two ways rows are saved: the round state it needs, the entry's points, the
    checks and values particular to it, and the action its history rows are named."""

    state: str
    closed_message: str
    points_of: Callable[[object], object]
    change_of: Callable[[ItemScore, object, Decimal | None], _RowChange]
    verb: str  # history: rows "assessment.itemscore.<verb>", the version "assessment.assessment.<verb>"
    with_deductions: bool = False


def _save_rows(
    *, assessment: Assessment, version: int, entries: list, acting_user, path: _RowPath
) -> Assessment:
    """The one row-save path: lock the assessment and check the version, check every entry's
    points (and the path's own rules) before anything is saved, then write the rows that
    changed and move the version on. Call inside a transaction."""
    locked = _lock_and_check_version(assessment, version)
    if locked.round.state != path.state:
        raise AssessmentError(path.closed_message)
    scores = locked.scores.select_related("item")
    if path.with_deductions:
        scores = scores.prefetch_related("item__deductions")
    rows = {s.item_id: s for s in scores}
    prepared: list[tuple[ItemScore, _RowChange]] = []
    for entry in entries:
        row = rows.get(int(entry.item_id))
        if row is None:
            raise AssessmentError(_("That item is not part of this assessment."))
        points = _parse_points(path.points_of(entry), code=row.item.code)
        _check_bounds(points, row.item)
        prepared.append((row, path.change_of(row, entry, points)))
    new_version = locked.version + 1
    changed_any = False
    for row, change in prepared:
        current_ids = (
            set(row.deductions.values_list("pk", flat=True))
            if change.deduction_ids is not None
            else None
        )
        unchanged = all(getattr(row, name) == value for name, value in change.values.items())
        if unchanged and current_ids == change.deduction_ids:
            continue
        for name, value in change.values.items():
            setattr(row, name, value)
        row.changed_in_version = new_version
        row.updated_by = acting_user
        row.full_clean()
        save_with_action(row, f"assessment.itemscore.{path.verb}")
        if change.deduction_ids is not None:
            row.deductions.set(change.deduction_ids)
        changed_any = True
    if changed_any:
        locked.version = new_version
        save_with_action(
            locked, f"assessment.assessment.{path.verb}", update_fields=["version", "updated_at"]
        )
    return locked


def _score_change(row: ItemScore, entry: ScoreEntry, points: Decimal | None) -> _RowChange:
    item = row.item
    comment = (entry.comment or "").strip()
    allowed = {d.pk for d in item.deductions.all()}
    deduction_ids = {int(d) for d in entry.deduction_ids}
    if not deduction_ids <= allowed:
        raise AssessmentError(
            _("%(code)s: a ticked deduction belongs to another item.") % {"code": item.code}
        )
    veto = bool(entry.veto) and item.kind == ItemKind.VETO
    deducting = bool(deduction_ids) or (
        item.kind == ItemKind.NORMAL and points is not None and points < item.max_points
    )
    if (deducting or veto) and not comment:
        raise AssessmentError(
            _("%(code)s: say why in the comment when deducting points or applying a veto.")
            % {"code": item.code}
        )
    return _RowChange(
        values={"score": points, "comment": comment, "veto_triggered": veto},
        deduction_ids=deduction_ids,
    )


def _self_change(row: ItemScore, entry: SelfEntry, points: Decimal | None) -> _RowChange:
    return _RowChange(values={"self_score": points, "self_note": (entry.self_note or "").strip()})


@transaction.atomic
def scores_save(
    *, assessment: Assessment, version: int, entries: list[ScoreEntry], acting_user
) -> Assessment:
    """The supervisor's assessed scores (考核分). All entries are checked before any is saved."""
    if not can_score(acting_user, assessment):
        raise AssessmentError(_("You are not assigned to score this organization."))
    return _save_rows(
        assessment=assessment,
        version=version,
        entries=entries,
        acting_user=acting_user,
        path=_RowPath(
            state=RoundState.SCORING,
            closed_message=_("Scores can only be entered while the round is in scoring."),
            points_of=lambda entry: entry.score,
            change_of=_score_change,
            verb="score",
            with_deductions=True,
        ),
    )


@transaction.atomic
def self_assessment_save(
    *, assessment: Assessment, version: int, entries: list[SelfEntry], acting_user
) -> Assessment:
    """The secretary's self score (自评分) and notes, only during the self-assessment."""
    if not can_self_assess(acting_user, assessment):
        raise AssessmentError(_("Only the organization's secretary enters its self-assessment."))
    return _save_rows(
        assessment=assessment,
        version=version,
        entries=entries,
        acting_user=acting_user,
        path=_RowPath(
            state=RoundState.SELF_ASSESSMENT,
            closed_message=_("The self-assessment is not open."),
            points_of=lambda entry: entry.self_score,
            change_of=_self_change,
            verb="self_assess",
        ),
    )
