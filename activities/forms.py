"""Forms of the activities pages (labels on every field; errors in Chinese)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import (
    MEETING_TYPES,
    Activity,
    ActivityStatus,
    ActivityType,
    Contest,
    ContestEntry,
    LectureTeam,
    RequiredFrequency,
    TrainingSession,
)
from activities.selectors import organizations_for
from branches.models import Organization, Status, in_subtree
from core.widgets import SearchChoiceField
from members.models import Member, MemberStatus
from venues.selectors import rooms_for

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members_in_scope(user):
    qs = Member.objects.filter(status=MemberStatus.NORMAL).select_related("organization")
    if user.is_secretary:
        qs = qs.filter(in_subtree(user.organization, "organization"))
    return qs.order_by("organization__path", "name")


class ActivityForm(forms.ModelForm):
    co_hosts = forms.ModelMultipleChoiceField(
        label=_("Co-hosting organizations"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Two or more hosts make the activity joint."),
    )
    room = forms.ModelChoiceField(
        label=_("Book a room"),
        queryset=None,
        required=False,
        help_text=_("Optional: the room is booked together with the activity."),
    )
    expected_attendees = forms.IntegerField(
        label=_("Expected attendees"), min_value=1, required=False
    )

    class Meta:
        model = Activity
        fields = [
            "type",
            "brand",
            "title",
            "organization",
            "start",
            "end",
            "place_text",
            "status",
            "outside_participants",
            "agenda",
            "discussion",
            "decisions",
        ]
        widgets = {
            "start": DATETIME_WIDGET,
            "end": DATETIME_WIDGET,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "discussion": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = organizations_for(user)
        self.fields["co_hosts"].queryset = Organization.objects.filter(
            status=Status.ACTIVE
        ).order_by("path")
        self.fields["start"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["end"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["status"].choices = [
            (ActivityStatus.PLANNED, ActivityStatus.PLANNED.label),
            (ActivityStatus.HELD, ActivityStatus.HELD.label),
        ]
        self.fields["room"].queryset = rooms_for(user)
        if self.instance.pk:
            del self.fields["organization"]
            del self.fields["status"]
            self.fields["co_hosts"].initial = [
                link.organization_id for link in self.instance.host_links.all() if not link.is_lead
            ]
            if self.instance.booking_id and "room" in self.fields:
                del self.fields["room"]
                del self.fields["expected_attendees"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end must not be before the start."))
        lead = data.get("organization") or (
            self.instance.organization if self.instance.pk else None
        )
        co_hosts = data.get("co_hosts") or []
        if lead is not None and lead in co_hosts:
            self.add_error("co_hosts", _("The lead organization is already a host."))
        if data.get("room") and not data.get("expected_attendees"):
            self.add_error("expected_attendees", _("Say how many people are expected."))
        if data.get("status") == ActivityStatus.HELD and start and start > timezone.now():
            self.add_error("status", _("An activity cannot be marked as held before it starts."))
        return data


class MeetingLogForm(forms.Form):
    """The secretary's fast 三会一课 form."""

    type = forms.ChoiceField(
        label=_("Meeting"),
        choices=[(t.value, t.label) for t in MEETING_TYPES],
        widget=forms.RadioSelect,
        initial=ActivityType.COMMITTEE_MEETING,
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    present = forms.ModelMultipleChoiceField(
        label=_("Who attended (tick)"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excused = forms.ModelMultipleChoiceField(
        label=_("Excused (not ticked above)"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excused_reason = forms.CharField(
        label=_("Reason for the excused"), max_length=100, required=False, initial=_("Health")
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = members
        self.fields["excused"].queryset = members
        self.fields["present"].label_from_instance = lambda m: m.name
        self.fields["excused"].label_from_instance = lambda m: m.name
        self.fields["date"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        both = set(data.get("present") or []) & set(data.get("excused") or [])
        if both:
            self.add_error(
                "excused",
                _("%(names)s: ticked as present and as excused.")
                % {"names": "、".join(m.name for m in both)},
            )
        day = data.get("date")
        if day and day > timezone.localdate():
            self.add_error("date", _("A meeting in the future cannot be logged as held."))
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or PDF (at most 10 MB)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class RequiredFrequencyForm(forms.ModelForm):
    class Meta:
        model = RequiredFrequency
        fields = ["organization_kind", "activity_type", "period", "times"]


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["title", "kind", "organization", "date", "hours", "trainers", "trainees"]
        widgets = {"date": DATE_WIDGET, "trainees": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for(user)
        trainees = members_in_scope(user)
        if self.instance.pk:  # keep trainees already listed, even outside the user's scope
            trainees = (
                Member.objects.filter(
                    Q(pk__in=trainees.values("pk")) | Q(pk__in=self.instance.trainees.values("pk"))
                )
                .select_related("organization")
                .order_by("organization__path", "name")
            )
        self.fields["trainees"].queryset = trainees
        self.fields["trainees"].label_from_instance = lambda m: f"{m.name}（{m.organization}）"


class ContestForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = ["title", "year", "organization"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for(user)


class ContestEntryForm(forms.ModelForm):
    class Meta:
        model = ContestEntry
        fields = ["member", "title"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        members = members_in_scope(user)
        if self.instance.pk:
            members = Member.objects.filter(
                Q(pk__in=members.values("pk")) | Q(pk=self.instance.member_id)
            ).order_by("organization__path", "name")
        self.fields["member"].queryset = members


class JudgeScoreForm(forms.Form):
    entry = forms.ModelChoiceField(label=_("Entry"), queryset=ContestEntry.objects.none())
    judge = forms.CharField(label=_("Judge"), max_length=50)
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=100, decimal_places=1)

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = contest.entries.select_related("member")
        self.fields["entry"].label_from_instance = lambda e: f"{e.member.name}：{e.title}"


class LectureTeamForm(forms.ModelForm):
    class Meta:
        model = LectureTeam
        fields = [
            "name",
            "campaign",
            "organization",
            "target_lecturers",
            "target_lectures",
            "members",
        ]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members_in_scope(user)


class ComplianceFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year of activities"), min_value=2000, max_value=2100, required=False
    )
    organization = SearchChoiceField(
        label=_("Organization (with its sub-organizations)"),
        queryset=Organization.objects.none(),
        required=False,
        search_url="branches:search",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for(user)
