"""Forms of the election pages (branches.election_views)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Position

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ElectionPlanForm(forms.Form):
    planned_on = forms.DateField(label=_("Election date"), widget=DATE)
    seats = forms.IntegerField(
        label=_("Number of seats"),
        min_value=1,
        max_value=7,
        help_text=_(
            "7 or more full members: a committee of 3 to 7 seats; fewer: a secretary and at "
            "most a deputy (1 or 2 seats)."
        ),
    )
    candidates = MemberChoice(
        label=_("Candidates (full members)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    plan_note = forms.CharField(
        label=_("Plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the election is prepared: the meeting, the nomination, the vote."),
    )

    def __init__(self, *args, full_members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = full_members


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Comment"), required=False, max_length=200)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class ElectionResultForm(forms.Form):
    """The day, the voters present and, per candidate, the votes and the seat won."""

    held_on = forms.DateField(label=_("Day of the vote"), widget=DATE)
    voters_present = forms.IntegerField(label=_("Voters present"), min_value=1)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        seat_choices = [("", _("Not elected")), *Position.choices]
        for candidate in candidates:
            name = candidate.member.name
            self.fields[f"votes_{candidate.pk}"] = forms.IntegerField(
                label=_("%(name)s: votes") % {"name": name},
                min_value=0,
                initial=candidate.votes,
            )
            self.fields[f"position_{candidate.pk}"] = forms.ChoiceField(
                label=_("%(name)s: elected to") % {"name": name},
                choices=seat_choices,
                required=False,
                initial=candidate.position,
            )

    def results(self) -> dict[int, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            c.pk: (data.get(f"votes_{c.pk}"), data.get(f"position_{c.pk}") or "")
            for c in self.candidates
        }
