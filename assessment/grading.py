"""The rubric's rules as arithmetic, without the database: an item's score from the lines
applied, an assessment's total, its grade from the rubric's bands and the vetoes that apply,
and the order of a ranking. The services and the pages call these; nothing here saves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from assessment.models import (
    GRADE_ORDER,
    ZERO,
    DeductionKind,
    DeductionRule,
    Grade,
    GradeBasis,
    GradeTotal,
    Item,
    ItemKind,
    Rubric,
    VetoConsequence,
)

HUNDRED = Decimal("100")


def item_computed(item: Item, applied: Iterable[tuple[DeductionRule, int]]) -> Decimal | None:
    """The score the lines applied give `item`.

    Normal item: its points minus the deductions, floored at 0 (扣完为止); a "scores 0" line
    makes it 0; lines that do not add up (不累计) count only the largest. Bonus item: the
    lines' points added, up to the item's own cap; None when no line applies (the scorer types
    the bonus). Veto item: None."""
    applied = [(rule, count) for rule, count in applied if count > 0]
    if item.kind == ItemKind.VETO:
        return None
    amounts = [rule.amount(count) for rule, count in applied]
    combined = (sum(amounts, ZERO) if item.cumulative else max(amounts)) if amounts else ZERO
    if item.kind == ItemKind.BONUS:
        return min(item.max_points, combined) if applied else None
    if any(rule.kind == DeductionKind.ZERO for rule, _count in applied):
        return ZERO
    return max(ZERO, item.max_points - combined)


@dataclass
class Totals:
    normal: Decimal = ZERO
    bonus: Decimal = ZERO
    vetoes: list[Item] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.normal + self.bonus


def totals(rubric: Rubric, scored: Iterable[tuple[Item, Decimal | None, bool]]) -> Totals:
    """(item, score, veto triggered) rows → normal points, bonus (each bonus item within its
    own cap, added or — when the rubric's bonus items do not add up — the largest only, then
    within the rubric's bonus cap) and the veto items that apply."""
    result = Totals()
    bonuses = []
    for item, score, veto in scored:
        if item.kind == ItemKind.NORMAL:
            result.normal += score or ZERO
        elif item.kind == ItemKind.BONUS:
            bonuses.append(min(score or ZERO, item.max_points))
        elif veto:
            result.vetoes.append(item)
    if bonuses:
        bonus = sum(bonuses, ZERO) if rubric.bonus_cumulative else max(bonuses)
        result.bonus = min(bonus, rubric.bonus_cap)
    return result


def band_grade(rubric: Rubric, bands, result: Totals) -> str:
    """The grade of the rubric's bands for the total it grades on (with or without bonus, in
    points or percent of the declared normal total); below every band is a Fail."""
    value = result.total if rubric.grade_total == GradeTotal.WITH_BONUS else result.normal
    if rubric.grade_basis == GradeBasis.PERCENT:
        value = value * HUNDRED / rubric.max_total if rubric.max_total else ZERO
    for band in sorted(bands, key=lambda b: b.minimum, reverse=True):
        if value >= band.minimum:
            return band.grade
    return Grade.FAIL


def _worse(a: str, b: str) -> str:
    return GRADE_ORDER[max(GRADE_ORDER.index(a), GRADE_ORDER.index(b))]


def _down_one(grade: str) -> str:
    return GRADE_ORDER[min(GRADE_ORDER.index(grade) + 1, len(GRADE_ORDER) - 1)]


def apply_vetoes(grade: str, vetoes: Iterable[Item]) -> str:
    """The grade after the vetoes that apply: "Fail" wins; otherwise a fixed grade is final
    (the worst of them); otherwise each cap ("不得评为优秀" = at best Good) and then each
    "down one grade" in turn."""
    vetoes = list(vetoes)
    consequences = {v.veto_consequence for v in vetoes}
    if VetoConsequence.FAIL in consequences:
        return Grade.FAIL
    fixed = [v.veto_grade for v in vetoes if v.veto_consequence == VetoConsequence.FIXED]
    if fixed:
        result = fixed[0]
        for grade_ in fixed[1:]:
            result = _worse(result, grade_)
        return result
    for veto in vetoes:
        if veto.veto_consequence == VetoConsequence.CAP and veto.veto_grade:
            grade = _worse(grade, veto.veto_grade)
    for veto in vetoes:
        if veto.veto_consequence == VetoConsequence.DOWN_ONE:
            grade = _down_one(grade)
    return grade


def fails_by_veto(vetoes: Iterable[Item]) -> bool:
    """一票否决 proper: a veto whose consequence is Fail (ranked after everyone, as ever)."""
    return any(v.veto_consequence == VetoConsequence.FAIL for v in vetoes)


def rank_key(*, grade: str, total: Decimal, failed_by_veto: bool) -> tuple:
    """Better first: by grade (a Fail by veto after every other Fail), then by total. With
    grades from bands alone this is the order of the totals, as ranks always were."""
    return (GRADE_ORDER.index(grade) + (1 if failed_by_veto else 0), -total)
