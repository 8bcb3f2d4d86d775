"""Scores: the supervisor's assessed scores, the secretary's self-assessment, totals and
ranks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.grading import Totals, item_computed, totals
from assessment.models import (
    ZERO,
    AppliedDeduction,
    Assessment,
    Assignment,
    DeductionKind,
    Item,
    ItemKind,
    ItemScore,
    RoundState,
    ScoreDraft,
    fmt_points,
)
from assessment.services.common import AssessmentError, StaleAssessmentError
from core.history import save_with_action


def assessment_totals(assessment: Assessment, scores: list[ItemScore] | None = None) -> Totals:
    """Normal points, bonus (within each item's and the rubric's cap, added or not as the
    rubric says) and the veto items that apply."""
    if scores is None:
        scores = list(assessment.scores.select_related("item"))
    return totals(assessment.rubric, [(s.item, s.score, s.veto_triggered) for s in scores])


def compute_total(assessment: Assessment, scores: list[ItemScore] | None = None):
    """(total, vetoed): normal scores plus bonus; whether any veto item applies."""
    result = assessment_totals(assessment, scores)
    return result.total, bool(result.vetoes)


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
    deduction_ids: list[int] = field(default_factory=list)  # ticked lines, once each
    veto: bool = False
    deduction_counts: dict[int, object] = field(default_factory=dict)  # per-occurrence lines
    # The page's "assessed" box: False with no line applied and no score typed leaves the item
    # unscored; None (callers that always mean to score) counts as ticked.
    assessed: bool | None = None


@dataclass
class SelfEntry:
    item_id: int
    self_score: object = None
    self_note: str = ""


@dataclass
class _RowChange:
    """What one entry writes to its row: field values and (scoring only) the deductions
    applied, line id → times; `applied` None leaves them alone."""

    values: dict
    applied: dict[int, int] | None = None


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
        scores = scores.prefetch_related("item__deductions", "applied")
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
        current = (
            {a.rule_id: a.count for a in row.applied.all()} if change.applied is not None else None
        )
        unchanged = all(getattr(row, name) == value for name, value in change.values.items())
        if unchanged and current == change.applied:
            continue
        for name, value in change.values.items():
            setattr(row, name, value)
        row.changed_in_version = new_version
        row.updated_by = acting_user
        row.full_clean()
        save_with_action(row, f"assessment.itemscore.{path.verb}")
        if change.applied is not None and current != change.applied:
            row.applied.all().delete()
            AppliedDeduction.objects.bulk_create(
                AppliedDeduction(score=row, rule_id=pk, count=count)
                for pk, count in sorted(change.applied.items())
            )
        changed_any = True
    if changed_any:
        locked.version = new_version
        save_with_action(
            locked, f"assessment.assessment.{path.verb}", update_fields=["version", "updated_at"]
        )
    return locked


def _applied_counts(item: Item, entry: ScoreEntry) -> dict[int, int]:
    """Line id → times applied, from the ticks and the counts posted; a fixed or "scores 0"
    line applies once at most."""
    rules = {d.pk: d for d in item.deductions.all()}
    counts: dict[int, int] = {}
    for pk in entry.deduction_ids:
        counts[int(pk)] = max(counts.get(int(pk), 0), 1)
    for pk, raw in (entry.deduction_counts or {}).items():
        text = str(raw if raw is not None else "").strip()
        if not text:
            continue
        try:
            count = int(text)
        except ValueError:
            count = -1
        if count < 0 or count > 999:
            raise AssessmentError(
                _("%(code)s: “%(value)s” is not a number of times (0 or more).")
                % {"code": item.code, "value": text}
            )
        if count == 0:
            counts.pop(int(pk), None)
        else:
            counts[int(pk)] = count
    if not set(counts) <= set(rules):
        raise AssessmentError(
            _("%(code)s: a ticked deduction belongs to another item.") % {"code": item.code}
        )
    for pk in counts:
        if rules[pk].kind != DeductionKind.PER_OCCURRENCE:
            counts[pk] = 1
    return counts


def scored_value(item: Item, rules: dict, counts: dict[int, int], typed: Decimal | None):
    """(score, overridden, computed): the score the lines give, unless one is typed that
    differs from it (an override, which needs a reason)."""
    computed = item_computed(item, [(rules[pk], count) for pk, count in counts.items()])
    if item.kind == ItemKind.VETO:
        return None, False, None
    if typed is None:
        return computed, False, computed
    return typed, computed is not None and typed != computed, computed


def _score_change(row: ItemScore, entry: ScoreEntry, points: Decimal | None) -> _RowChange:
    item = row.item
    comment = (entry.comment or "").strip()
    counts = _applied_counts(item, entry)
    rules = {d.pk: d for d in item.deductions.all()}
    score, overridden, computed = scored_value(item, rules, counts, points)
    if not counts and points is None and entry.assessed is False:
        score, overridden = None, False  # not assessed yet
    veto = bool(entry.veto) and item.kind == ItemKind.VETO
    deducting = item.kind == ItemKind.NORMAL and (
        bool(counts) or (score is not None and score < item.max_points)
    )
    if (deducting or veto) and not comment:
        raise AssessmentError(
            _("%(code)s: say why in the comment when deducting points or applying a veto.")
            % {"code": item.code}
        )
    if overridden and not comment:
        # No silent change: a score that is not what the lines give is refused unless the
        # comment says why (a suggestion used, a typed number), whatever else is right.
        raise AssessmentError(
            _(
                "%(code)s: the score %(score)s is not what the deductions give (%(computed)s); "
                "say why in the comment."
            )
            % {"code": item.code, "score": fmt_points(score), "computed": fmt_points(computed)}
        )
    return _RowChange(
        values={
            "score": score,
            "comment": comment,
            "veto_triggered": veto,
            "overridden": overridden,
        },
        applied=counts if item.kind != ItemKind.VETO else {},
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


@transaction.atomic
def scores_submit(
    *, assessment: Assessment, version: int, entries: list[ScoreEntry], acting_user
) -> Assessment:
    """提交评分: the scores saved as `scores_save` saves them, and the scorer's draft of this
    assessment removed (it is now the scores themselves)."""
    saved = scores_save(
        assessment=assessment, version=version, entries=entries, acting_user=acting_user
    )
    ScoreDraft.objects.filter(assessment=assessment, user=acting_user).delete()
    return saved


# --- Drafts (autosave) -----------------------------------------------------------------------

# The scoring page's own fields; a draft keeps nothing else.
_DRAFT_FIELD = re.compile(
    r"^(?:item|version|(?:score|comment|veto|assessed|deduction)_(?P<item>\d+)"
    r"|count_(?P<count_item>\d+)_\d+)$"
)
DRAFT_MAX_CHARS = 200_000


def draft_for(assessment: Assessment, user) -> ScoreDraft | None:
    """The user's unsubmitted scoring page of `assessment`, if any."""
    return ScoreDraft.objects.filter(assessment=assessment, user=user).first()


@transaction.atomic
def score_draft_save(
    *, assessment: Assessment, data: Mapping[str, list[str]], acting_user
) -> ScoreDraft:
    """Keep the scoring page as typed (autosave). Nothing is checked but its shape: a draft
    is not a score, and the checks come when it is submitted. Only the page's fields of this
    assessment's items are kept."""
    if not can_score(acting_user, assessment):
        raise AssessmentError(_("You are not assigned to score this organization."))
    if assessment.round.state != RoundState.SCORING:
        raise AssessmentError(_("Scores can only be entered while the round is in scoring."))
    items = {str(pk) for pk in assessment.scores.values_list("item_id", flat=True)}
    kept: dict[str, list[str]] = {}
    for name, values in data.items():
        match = _DRAFT_FIELD.match(name)
        if not match or name == "version":
            continue
        item = match.group("item") or match.group("count_item")
        if item is not None and item not in items:
            continue
        values = [str(v) for v in values]
        if name == "item":
            values = [v for v in values if v in items]
        kept[name] = values
    if len(json.dumps(kept, ensure_ascii=False)) > DRAFT_MAX_CHARS:
        raise AssessmentError(_("The draft is too long to keep; shorten the comments."))
    draft, _created = ScoreDraft.objects.select_for_update().get_or_create(
        assessment=assessment,
        user=acting_user,
        defaults={"version": assessment.version, "data": kept},
    )
    draft.data = kept
    draft.version = assessment.version
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def score_draft_discard(*, assessment: Assessment, acting_user) -> None:
    """放弃草稿: the page shows the saved scores again."""
    ScoreDraft.objects.filter(assessment=assessment, user=acting_user).delete()
