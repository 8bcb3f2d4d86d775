"""Forms of the venues app: labels on every field, Chinese errors naming the field."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Community, District, Organization, Status
from branches.selectors import organizations_for
from core.widgets import SearchChoiceField
from venues.models import Closure, Facility, Room, Rule, Venue, Weekday
from venues.services import HoursSpan, Scope, opening_hours_problems

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")

REPEAT_CHOICES = [("", _("Does not repeat")), *Rule.choices]
SCOPE_CHOICES = [
    (Scope.ONE, _("Only this date")),
    (Scope.FOLLOWING, _("This date and the following ones")),
    (Scope.ALL, _("The whole series")),
]


class SlotMixin:
    """Combines date + start/end time into aware datetimes; checks end after start."""

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", _("End time: must be after the start time."))
            else:
                cleaned["start"] = timezone.make_aware(datetime.datetime.combine(day, start))
                cleaned["end"] = timezone.make_aware(datetime.datetime.combine(day, end))
        return cleaned


class BookingForm(SlotMixin, forms.Form):
    # A search field (core.widgets), not one option per organization: bureau staff book for
    # any active organization, which /branches/search/ finds (staff see every organization).
    organization = SearchChoiceField(
        label=_("Booking organization"),
        queryset=Organization.objects.none(),
        required=False,
        search_url="branches:search",
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("End time"), widget=TIME_INPUT)
    expected_attendees = forms.IntegerField(label=_("Expected attendees"), min_value=1)
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, required=False)
    until = forms.DateField(
        label=_("Repeat until"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("For a repeating booking: the last date, or give a number of times."),
    )
    count = forms.IntegerField(label=_("Number of times"), min_value=1, required=False)
    on_conflict = forms.ChoiceField(
        choices=[("ask", "ask"), ("skip", "skip"), ("none", "none")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_bureau_staff:
            self.fields["organization"].queryset = Organization.objects.filter(status="active")
            self.fields["organization"].required = True
        else:
            del self.fields["organization"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("repeat"):
            if not cleaned.get("until") and not cleaned.get("count"):
                self.add_error("until", _("Repeat until: give the last date or a number of times."))
            elif cleaned.get("until") and cleaned.get("count"):
                self.add_error(
                    "count", _("Number of times: give either a last date or a number, not both.")
                )
        return cleaned


class FreeRoomForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Time from"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("Time until"), widget=TIME_INPUT)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, initial=10)
    facility = forms.ModelChoiceField(
        label=_("Facility"), queryset=Facility.objects.all(), required=False, empty_label=_("Any")
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("Any")
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("Time until: must be after the start time."))
        return cleaned


class BookingChangeForm(SlotMixin, forms.Form):
    scope = forms.ChoiceField(
        label=_("Change"), choices=SCOPE_CHOICES, initial=Scope.ONE, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("Date"),
        widget=DATE_INPUT,
        help_text=_("Used for a single date; a series keeps each occurrence's date."),
    )
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("End time"), widget=TIME_INPUT)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    expected_attendees = forms.IntegerField(label=_("Expected attendees"), min_value=1)

    def __init__(self, *args, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["scope"]


class CancelForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Cancel which bookings"),
        choices=SCOPE_CHOICES,
        initial=Scope.ONE,
        widget=forms.RadioSelect,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=200)


class VisitorsForm(forms.Form):
    visitors = forms.IntegerField(label=_("Visitors (actual)"), min_value=0)


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "type", "capacity", "facilities", "needs_approval", "is_active"]
        widgets = {"facilities": forms.CheckboxSelectMultiple}


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}


class VenueForm(forms.ModelForm):
    """A venue's particulars; the owner is one of the organizations the user keeps."""

    # A search field (core.widgets) over the organizations the user may see; the choices (the
    # active ones, and the current owner) are checked on the server.
    owner = SearchChoiceField(
        label=Venue._meta.get_field("owner").verbose_name,
        queryset=Organization.objects.none(),
        search_url="branches:search",
    )

    class Meta:
        model = Venue
        fields = ["name", "address", "district", "community", "owner", "demonstration_year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)

        owners = organizations_for(user).filter(status=Status.ACTIVE).order_by("path")
        if self.instance.pk and self.instance.owner_id:
            owners = owners | Organization.objects.filter(pk=self.instance.owner_id)
        self.fields["owner"].queryset = owners.distinct().order_by("path")
        self.fields["district"].queryset = District.objects.order_by("name")
        self.fields["community"].queryset = Community.objects.select_related("district").order_by(
            "district__name", "name"
        )
        self.fields["demonstration_year"].widget.attrs.update({"min": 2000, "max": 2100})
        self.fields["demonstration_year"].help_text = _(
            "The year it became a demonstration site; leave empty if it is not one."
        )


class OpeningHoursForm(forms.Form):
    """One opening span. A line left wholly blank is no span (cleared lines are removed)."""

    weekday = forms.TypedChoiceField(
        label=_("weekday"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    opens = forms.TimeField(label=_("opens"), widget=TIME_INPUT, required=False)
    closes = forms.TimeField(label=_("closes"), widget=TIME_INPUT, required=False)

    def clean(self):
        cleaned = super().clean()
        given = {name: cleaned.get(name) for name in ("weekday", "opens", "closes")}
        if all(value is None for value in given.values()):
            return cleaned
        for name, value in given.items():
            if value is None and name not in self.errors:
                self.add_error(name, forms.Field.default_error_messages["required"])
        opens, closes = given["opens"], given["closes"]
        if opens and closes and closes <= opens:
            self.add_error("closes", _("Closing time must be after opening time."))
        return cleaned

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return data.get("weekday") is None


class BaseOpeningHoursFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        problems = opening_hours_problems(self.spans())
        if problems:
            raise forms.ValidationError(problems)

    def spans(self) -> list[HoursSpan]:
        return [
            HoursSpan(f.cleaned_data["weekday"], f.cleaned_data["opens"], f.cleaned_data["closes"])
            for f in self.forms
            if not f.is_blank and not f.cleaned_data.get("DELETE")
        ]


def opening_hours_formset(*, existing: int):
    """Seven empty lines for a new venue (one per weekday), two more for a known one."""
    return forms.formset_factory(
        OpeningHoursForm,
        formset=BaseOpeningHoursFormSet,
        extra=2 if existing else 7,
        can_delete=True,
        max_num=50,
        validate_max=True,
    )
