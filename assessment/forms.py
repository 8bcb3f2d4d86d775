"""Forms of the assessment pages (labels on every field; crispy renders them)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import SearchMultipleChoiceField, SearchRowsInput
from assessment.models import GradeThresholds, InspectionKind, Rubric
from assessment.services import AssessmentError
from branches.models import Category, Organization, Status
from core.models import Role, User
from core.widgets import SearchChoiceField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _year_field(label, initial=None):
    return forms.IntegerField(label=label, min_value=2000, max_value=2100, initial=initial)


class RubricCopyForm(forms.Form):
    from_year = _year_field(_("Copy from year"))
    to_year = _year_field(_("To year"))
    category = forms.ChoiceField(
        label=_("Organization type"),
        choices=[("", _("Both types"))] + list(Category.choices),
        required=False,
    )


class RubricStartForm(forms.Form):
    year = _year_field(_("Year"))
    category = forms.ChoiceField(label=_("Organization type"), choices=Category.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    max_total = forms.DecimalField(
        label=_("Declared maximum total"), min_value=1, max_digits=6, decimal_places=2
    )


class RubricUploadForm(forms.Form):
    year = _year_field(_("Year"))
    category = forms.ChoiceField(label=_("Organization type"), choices=Category.choices)
    file = forms.FileField(
        label=_("Rubric workbook (.xlsx)"),
        help_text=_("Laid out like the downloaded rubric: one row per item, one per deduction."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    replace = forms.BooleanField(
        label=_("Replace the existing rubric of that year and type (only if no round uses it)"),
        required=False,
    )


class RoundForm(forms.Form):
    year = _year_field(_("Year"))
    title = forms.CharField(label=_("Title"), max_length=200)
    rubrics = forms.ModelMultipleChoiceField(
        label=_("Rubrics"),
        queryset=Rubric.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One per organization type, of the same year."),
    )
    self_assessment_due = forms.DateField(
        label=_("Self-assessment due"), required=False, widget=DATE
    )
    scoring_due = forms.DateField(label=_("Scoring due"), required=False, widget=DATE)


class RoundScopeForm(forms.Form):
    """The round's scope changed by search (core.widgets), never one checkbox per organization:
    every eligible organization at once, or the current scope plus those added less those
    removed. Cleans to `organizations`, the whole new scope, as the view expects."""

    all_eligible = forms.BooleanField(
        label=_("Put every eligible organization in scope"), required=False
    )
    add = SearchMultipleChoiceField(
        label=_("Add organizations"),
        queryset=Organization.objects.none(),
        required=False,
        search_url="branches:search",
        widget=SearchRowsInput("branches:search", item_label=_("Organization")),
        help_text=_("Branches and general branches of the round's categories."),
    )
    remove = SearchMultipleChoiceField(
        label=_("Remove organizations"),
        queryset=Organization.objects.none(),
        required=False,
        search_url="branches:search",
        widget=SearchRowsInput("branches:search", item_label=_("Organization")),
    )

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(round.rubrics.values_list("category", flat=True))
        self.eligible = Organization.objects.filter(
            status=Status.ACTIVE, category__in=categories, kind__in=["branch", "general_branch"]
        ).order_by("category", "path")
        self.current = round.organizations.all()
        self.fields["add"].queryset = self.eligible
        self.fields["remove"].queryset = self.current.order_by("path")
        self.fields["remove"].help_text = _(
            "Now in scope: %(count)d organizations (listed on the round's page)."
        ) % {"count": self.current.count()}
        self.fields["all_eligible"].help_text = _(
            "%(count)d organizations are eligible: the branches and general branches of the "
            "round's categories."
        ) % {"count": self.eligible.count()}

    def clean(self):
        data = super().clean()
        if data.get("all_eligible"):
            scope = list(self.eligible)
        else:
            removed = {o.pk for o in data.get("remove") or []}
            scope = [o for o in self.current.order_by("path") if o.pk not in removed]
            kept = {o.pk for o in scope}
            scope += [o for o in data.get("add") or [] if o.pk not in kept]
        data["organizations"] = scope
        return data


class AssignForm(forms.Form):
    organizations = SearchMultipleChoiceField(
        label=_("Organizations"),
        queryset=Organization.objects.none(),
        search_url="branches:search",
        widget=SearchRowsInput("branches:search", item_label=_("Organization")),
        help_text=_("Organizations in the round's scope: type part of a name."),
    )
    supervisors = forms.ModelMultipleChoiceField(
        label=_("Supervisors"),
        queryset=User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("username"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = round.organizations.order_by("category", "path")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = GradeThresholds
        fields = ["excellent", "good", "pass_mark"]


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    organization = SearchChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.filter(status=Status.ACTIVE).order_by("path"),
        search_url="branches:search",
    )
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Inspectors"),
        queryset=User.objects.filter(
            role__in=[Role.STAFF, Role.SUPERVISOR], is_active=True
        ).order_by("username"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty to record yourself."),
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    required = forms.CharField(
        label=_("Rectification required"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    deadline = forms.DateField(label=_("Rectification deadline"), widget=DATE, required=False)

    def clean(self):
        data = super().clean()
        if data.get("required") and not data.get("deadline"):
            self.add_error("deadline", _("Give the deadline of the rectification."))
        if data.get("deadline") and not data.get("required"):
            self.add_error("required", _("Say what must be rectified."))
        return data


class RectificationForm(forms.Form):
    required = forms.CharField(
        label=_("Rectification required"), widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)


class RectificationDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE, initial=timezone.localdate)

    def clean_done_on(self):
        value = self.cleaned_data["done_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The completion date cannot be in the future."))
        return value


class PostedRows:
    """The item rows the scoring and the self-assessment pages post alike: `item` lists the
    item ids, and each row's fields come as `<field>_<item id>` (plus, on the scoring page,
    `deduction_<id>` ticks and a `veto_<id>` box). Malformed input is an AssessmentError."""

    @dataclass
    class Row:
        item_id: int
        values: dict[str, str]
        deduction_ids: list[int]
        veto: bool
        deduction_counts: dict[int, str]
        assessed: bool

    def __init__(self, data, *, fields: tuple[str, ...]):
        self.data = data
        self.fields = fields

    def version(self) -> int:
        try:
            return int(self.data.get("version", "0") or 0)
        except ValueError:
            raise AssessmentError(_("The form was incomplete; reload the page.")) from None

    def item_ids(self) -> list[int]:
        try:
            return [int(raw) for raw in self.data.getlist("item")]
        except ValueError:
            raise AssessmentError(_("That item is not part of this assessment.")) from None

    def rows(self) -> list[PostedRows.Row]:
        rows = []
        for item_id in self.item_ids():
            try:
                ticks = [int(v) for v in self.data.getlist(f"deduction_{item_id}")]
            except ValueError:
                raise AssessmentError(_("A ticked deduction is not valid.")) from None
            rows.append(
                PostedRows.Row(
                    item_id=item_id,
                    values={name: self.data.get(f"{name}_{item_id}", "") for name in self.fields},
                    deduction_ids=ticks,
                    veto=self.data.get(f"veto_{item_id}") == "on",
                    deduction_counts=self.counts(item_id),
                    assessed=self.data.get(f"assessed_{item_id}") == "on",
                )
            )
        return rows

    def counts(self, item_id: int) -> dict[int, str]:
        """`count_<item>_<line>` fields: how many times a per-occurrence line applies."""
        prefix = f"count_{item_id}_"
        counts = {}
        for key in self.data:
            if key.startswith(prefix):
                try:
                    counts[int(key[len(prefix) :])] = self.data.get(key, "")
                except ValueError:
                    raise AssessmentError(_("A ticked deduction is not valid.")) from None
        return counts

    def overlay(self, rows) -> None:
        """Show what the user typed again after a refused save (nothing of it was saved)."""
        posted = set(self.data.getlist("item"))
        for row in rows:
            pk = row.item_id
            if str(pk) not in posted:
                continue
            row.posted = {name: self.data.get(f"{name}_{pk}", "") for name in self.fields}
            row.ticked_ids = {int(v) for v in self.data.getlist(f"deduction_{pk}") if v.isdecimal()}
            row.posted["veto"] = self.data.get(f"veto_{pk}") == "on"
            row.counts = self.counts(pk)
            row.posted["assessed"] = self.data.get(f"assessed_{pk}") == "on"
