"""Annual assessment (考核): rubrics, rounds, scores, inspections (督查) and rectification (整改).

Workflows live in `assessment.services`; this module keeps the data and its invariants.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Category
from core.history import HistoricalRecords

POINTS = {"max_digits": 6, "decimal_places": 2}
ZERO = Decimal("0")


def fmt_points(value: Decimal | None) -> str:
    """40.00 → "40", 37.50 → "37.5"; None → "—"."""
    if value is None:
        return "—"
    return format(Decimal(value).normalize(), "f")


# --- Grades -------------------------------------------------------------------------------


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


# Best first: a grade "down one" is the next in this list.
GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL]


class GradeBasis(models.TextChoices):
    POINTS = "points", _("Points")
    PERCENT = "percent", _("Percentage of the normal total")


class GradeTotal(models.TextChoices):
    WITH_BONUS = "with_bonus", _("The total with bonus")
    WITHOUT_BONUS = "without_bonus", _("The total without bonus")


# --- Rubrics (考核细则) --------------------------------------------------------------------


class Rubric(models.Model):
    """The scoring table for one year and one organization type (建制 / 三缘型)."""

    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("organization type"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    max_total = models.DecimalField(
        _("declared maximum total"),
        default=Decimal("100"),
        validators=[MinValueValidator(1)],
        **POINTS,
    )
    bonus_cap = models.DecimalField(
        _("bonus cap"), default=ZERO, validators=[MinValueValidator(0)], **POINTS
    )
    bonus_cumulative = models.BooleanField(
        _("bonus items add up"),
        default=True,
        help_text=_("Untick when the rubric says the bonus items do not add up (不累计)."),
    )
    grade_basis = models.CharField(
        _("grade bands in"), max_length=10, choices=GradeBasis.choices, default=GradeBasis.POINTS
    )
    grade_total = models.CharField(
        _("grade bands apply to"),
        max_length=15,
        choices=GradeTotal.choices,
        default=GradeTotal.WITH_BONUS,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["-year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["year", "category"], name="rubric_unique_year_type")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_category_display()} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:rubric_detail", args=[self.pk])


class Section(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=100)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric section")
        verbose_name_plural = _("rubric sections")
        ordering = ["rubric", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    NORMAL = "normal", _("Normal item")
    BONUS = "bonus", _("Bonus item")
    VETO = "veto", _("Veto item")


class VetoConsequence(models.TextChoices):
    FAIL = "fail", _("The grade is Fail")
    CAP = "cap", _("The grade is at best the given grade")
    DOWN_ONE = "down_one", _("Down one grade")
    FIXED = "fixed", _("The grade is the given grade")


class Item(models.Model):
    """One line of the rubric. A normal item scores its points minus the deductions applied
    (floored at 0, 扣完为止); a bonus item adds up to its own points; a veto item (一票否决)
    carries no points and, when it applies, changes the grade as `veto_consequence` says."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("item code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    criterion = models.TextField(_("criterion"), blank=True)
    max_points = models.DecimalField(
        _("maximum points"), validators=[MinValueValidator(0)], **POINTS
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.NORMAL
    )
    cumulative = models.BooleanField(
        _("lines add up"),
        default=True,
        help_text=_("Untick for 不累计: only the largest of the lines applied counts."),
    )
    veto_consequence = models.CharField(
        _("veto consequence"),
        max_length=10,
        choices=VetoConsequence.choices,
        default=VetoConsequence.FAIL,
    )
    veto_grade = models.CharField(_("veto grade"), max_length=20, choices=Grade.choices, blank=True)
    metric = models.CharField(_("evidence metric"), max_length=50, null=True, blank=True)
    metric_params = models.JSONField(_("metric parameters"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["rubric", "section__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="item_code_unique_in_rubric")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.section_id and self.rubric_id and self.section.rubric_id != self.rubric_id:
            errors["section"] = _("The section belongs to another rubric.")
        if self.kind == ItemKind.VETO and self.max_points and self.max_points != ZERO:
            errors["max_points"] = _("A veto item carries no points (maximum 0).")
        if self.kind == ItemKind.BONUS and not self.max_points:
            errors["max_points"] = _("A bonus item needs its own cap (its maximum points).")
        if self.kind == ItemKind.VETO:
            needs_grade = self.veto_consequence in (VetoConsequence.CAP, VetoConsequence.FIXED)
            if needs_grade and not self.veto_grade:
                errors["veto_grade"] = _("Choose the grade this veto caps or fixes.")
            if not needs_grade and self.veto_grade:
                self.veto_grade = ""
        # Whether `metric` names a registered metric is checked by the rubric services
        # (assessment.metrics sits above the models).
        if not isinstance(self.metric_params, dict):
            errors["metric_params"] = _("Metric parameters must be a mapping.")
        if errors:
            raise ValidationError(errors)

    @property
    def veto_summary(self) -> str:
        """ "不合格", "最高评为良好", "降一个等次", "定为合格"."""
        grade = Grade(self.veto_grade).label if self.veto_grade else ""
        if self.veto_consequence == VetoConsequence.CAP:
            return str(_("At best %(grade)s") % {"grade": grade})
        if self.veto_consequence == VetoConsequence.FIXED:
            return str(_("Graded %(grade)s") % {"grade": grade})
        return str(VetoConsequence(self.veto_consequence).label)


class DeductionKind(models.TextChoices):
    FIXED = "fixed", _("Fixed points")
    PER_OCCURRENCE = "per_occurrence", _("Points per occurrence")
    ZERO = "zero", _("The item scores 0")


class DeductionRule(models.Model):
    """A line of an item: "没有年度计划扣3分" (fixed), "每缺一项扣1分" (per occurrence, with a
    count entered when scoring and an optional cap), "不得分" (the item scores 0). On a bonus
    item the line adds its points instead."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="deductions")
    text = models.CharField(_("deduction"), max_length=200)
    kind = models.CharField(
        _("deduction kind"),
        max_length=20,
        choices=DeductionKind.choices,
        default=DeductionKind.FIXED,
    )
    points = models.DecimalField(
        _("points"), default=ZERO, validators=[MinValueValidator(0)], **POINTS
    )
    unit = models.CharField(
        _("unit"), max_length=10, blank=True, help_text=_("项, 人, 次 … for a per-occurrence line.")
    )
    cap = models.DecimalField(
        _("at most"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The most a per-occurrence line can count; empty for no cap."),
        **POINTS,
    )
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deduction rule")
        verbose_name_plural = _("deduction rules")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_per_occurrence(self) -> bool:
        return self.kind == DeductionKind.PER_OCCURRENCE

    @property
    def summary(self) -> str:
        """−3, −1/人 (≤ 4), 不得分; on a bonus item +2."""
        sign = "+" if self.item.kind == ItemKind.BONUS else "−"
        if self.kind == DeductionKind.ZERO:
            return str(_("scores 0"))
        text = f"{sign}{fmt_points(self.points)}"
        if self.kind == DeductionKind.PER_OCCURRENCE:
            text += "/" + (self.unit or str(_("each")))
            if self.cap is not None:
                text += f" (≤ {fmt_points(self.cap)})"
        return text

    def clean(self) -> None:
        errors = {}
        if self.kind != DeductionKind.ZERO and not self.points:
            errors["points"] = _("Give the points of the line.")
        if self.kind != DeductionKind.PER_OCCURRENCE and self.cap is not None:
            self.cap = None
        if self.kind == DeductionKind.ZERO:
            self.points = ZERO
        if errors:
            raise ValidationError(errors)

    def amount(self, count: int = 1) -> Decimal:
        """The points this line takes off (or, on a bonus item, adds) when applied `count`
        times. A "scores 0" line is the item's whole maximum."""
        if self.kind == DeductionKind.ZERO:
            return self.item.max_points
        if self.kind == DeductionKind.PER_OCCURRENCE:
            value = self.points * max(0, int(count))
            return value if self.cap is None else min(value, self.cap)
        return self.points


class GradeBand(models.Model):
    """A grade of a rubric from a threshold up ("90 分以上为优秀"); the threshold is in points
    or in percent of the normal total, as the rubric's `grade_basis` says. A total below every
    band is a Fail."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="bands")
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    minimum = models.DecimalField(_("from"), validators=[MinValueValidator(0)], **POINTS)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["rubric", "-minimum", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "grade"], name="one_band_per_grade")
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} ≥ {fmt_points(self.minimum)}"


# --- Default grade thresholds --------------------------------------------------------------


class GradeThresholds(models.Model):
    """The grade boundaries (one row). A grade is cached on each assessment when finalized."""

    excellent = models.DecimalField(_("excellent from"), default=Decimal("90"), **POINTS)
    good = models.DecimalField(_("good from"), default=Decimal("80"), **POINTS)
    pass_mark = models.DecimalField(_("pass from"), default=Decimal("60"), **POINTS)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grade thresholds")
        verbose_name_plural = _("grade thresholds")

    def __str__(self) -> str:
        return f"{self.excellent}/{self.good}/{self.pass_mark}"

    def clean(self) -> None:
        if not (self.excellent > self.good > self.pass_mark >= 0):
            raise ValidationError(
                _("Thresholds must fall: excellent above good above pass, none negative.")
            )

    @classmethod
    def current(cls) -> GradeThresholds:
        return cls.objects.order_by("pk").first() or cls()

    def grade_for(self, total: Decimal, *, vetoed: bool = False) -> str:
        if vetoed:
            return Grade.FAIL
        if total >= self.excellent:
            return Grade.EXCELLENT
        if total >= self.good:
            return Grade.GOOD
        if total >= self.pass_mark:
            return Grade.PASS
        return Grade.FAIL


# --- Rounds -------------------------------------------------------------------------------


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    SCORING = "scoring", _("Scoring")
    FINALIZED = "finalized", _("Finalized")


class Round(models.Model):
    """One year's assessment of a set of organizations."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    rubrics = models.ManyToManyField(Rubric, verbose_name=_("rubrics"), related_name="rounds")
    organizations = models.ManyToManyField(
        "branches.Organization",
        verbose_name=_("organizations in scope"),
        blank=True,
        related_name="assessment_rounds",
    )
    self_assessment_due = models.DateField(_("self-assessment due"), null=True, blank=True)
    scoring_due = models.DateField(_("scoring due"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=RoundState.choices,
        default=RoundState.DRAFT,
        db_index=True,
    )
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment:round_detail", args=[self.pk])

    @property
    def is_finalized(self) -> bool:
        return self.state == RoundState.FINALIZED

    def clean(self) -> None:
        if (
            self.self_assessment_due
            and self.scoring_due
            and self.scoring_due < self.self_assessment_due
        ):
            raise ValidationError(
                {"scoring_due": _("Scoring cannot be due before the self-assessment.")}
            )


class RoundEvent(models.Model):
    """The log of a round's transitions; a reopening carries its reason."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, choices=RoundState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=RoundState.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("round event")
        verbose_name_plural = _("round events")
        ordering = ["round", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.round}: {self.from_state} → {self.to_state}"

    @property
    def is_reopening(self) -> bool:
        return self.from_state == RoundState.FINALIZED


class Assignment(models.Model):
    """Which supervisors score which organization in a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="assessment_assignments"
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisors"),
        related_name="assessment_assignments",
        limit_choices_to={"role": "supervisor"},
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="one_assignment_per_round_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.organization}"


class Assessment(models.Model):
    """One organization's assessment in a round. `version` rises with every save (optimistic
    locking); total, grade and rank are cached when the round is finalized."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assessments")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="assessments"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveIntegerField(_("version"), default=1)
    total = models.DecimalField(_("total"), null=True, blank=True, **POINTS)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["round", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="one_assessment_per_round_org"
            )
        ]
        indexes = [models.Index(fields=["round", "grade"])]

    def __str__(self) -> str:
        return f"{self.round} · {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:score", args=[self.pk])


class ItemScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="scores")
    self_score = models.DecimalField(_("self score"), null=True, blank=True, **POINTS)
    self_note = models.TextField(_("self-assessment note"), blank=True)
    score = models.DecimalField(_("assessed score"), null=True, blank=True, **POINTS)
    comment = models.TextField(_("comment"), blank=True)
    deductions = models.ManyToManyField(
        DeductionRule,
        verbose_name=_("deductions"),
        blank=True,
        related_name="+",
        through="AppliedDeduction",
    )
    overridden = models.BooleanField(
        _("score entered by hand"),
        default=False,
        help_text=_(
            "The score differs from the one computed from the deductions; the comment says why."
        ),
    )
    veto_triggered = models.BooleanField(_("veto triggered"), default=False)
    changed_in_version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["assessment", "item__section__position", "item__position", "item__pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_score_per_item"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0), name="score_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=0),
                name="self_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.item.code}"

    def clean(self) -> None:
        errors = {}
        maximum = self.item.max_points
        for field in ("score", "self_score"):
            value = getattr(self, field)
            if value is not None and not (ZERO <= value <= maximum):
                errors[field] = _("%(code)s: the score must lie between 0 and %(max)s.") % {
                    "code": self.item.code,
                    "max": fmt_points(maximum),
                }
        if errors:
            raise ValidationError(errors)


class AppliedDeduction(models.Model):
    """A deduction line applied to a score, `count` times (1 unless the line is per
    occurrence)."""

    score = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="applied")
    rule = models.ForeignKey(DeductionRule, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(_("times"), default=1)

    class Meta:
        verbose_name = _("applied deduction")
        verbose_name_plural = _("applied deductions")
        ordering = ["score", "rule__position", "rule__pk"]
        constraints = [
            models.UniqueConstraint(fields=["score", "rule"], name="deduction_applied_once"),
            models.CheckConstraint(condition=Q(count__gte=1), name="deduction_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} × {self.count}"

    @property
    def amount(self) -> Decimal:
        return self.rule.amount(self.count)


class ScoreDraft(models.Model):
    """A supervisor's scoring page as last typed and not yet submitted (autosaved): the posted
    fields as they were, restored when they come back. Not a score: totals, progress and
    results never read it; submitting the scores removes it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(_("fields as typed"), default=dict)
    version = models.PositiveIntegerField(_("version the draft was made on"))
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("scoring draft")
        verbose_name_plural = _("scoring drafts")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="one_draft_per_scorer")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.user}"


# --- Inspections (督查) and rectification (整改) ---------------------------------------------


class InspectionKind(models.TextChoices):
    GUIDANCE = "guidance", _("Regular guidance")
    UNANNOUNCED = "unannounced", _("Unannounced visit")
    ROUTINE = "routine", _("Routine assessment")


class Inspection(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    date = models.DateField(_("date"), db_index=True)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="inspections"
    )
    findings = models.TextField(_("findings"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organization", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} · {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:inspection_detail", args=[self.pk])


class RectificationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification", "Open")
    DONE = "done", pgettext_lazy("rectification", "Done")


class RectificationQuerySet(models.QuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=RectificationStatus.OPEN, deadline__lt=today)


class Rectification(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="rectifications"
    )
    required = models.TextField(_("rectification required"))
    deadline = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        db_index=True,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.required[:50]

    @property
    def is_overdue(self) -> bool:
        return self.status == RectificationStatus.OPEN and self.deadline < timezone.localdate()

    def clean(self) -> None:
        if self.status == RectificationStatus.DONE and not self.done_on:
            raise ValidationError({"done_on": _("Give the date the rectification was done.")})
        if self.status == RectificationStatus.OPEN and self.done_on:
            raise ValidationError({"done_on": _("An open rectification has no completion date.")})
