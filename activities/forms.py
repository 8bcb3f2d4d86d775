"""Forms of the activities pages (labels on every field; errors in Chinese)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import (
    MEETING_TYPES,
    Activity,
    ActivityStatus,
    ActivityType,
    AttendanceStatus,
    Contest,
    ContestEntry,
    LectureTeam,
    RequiredFrequency,
    TrainingSession,
)
from activities.selectors import organizations_for
from branches.models import Organization, Status, in_subtree
from core.widgets import SearchChoiceField, SearchInput, search_label
from members.models import Member, MemberStatus
from venues.selectors import rooms_for

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members_in_scope(user):
    qs = Member.objects.filter(status=MemberStatus.NORMAL).select_related("organization")
    if user.is_secretary:
        qs = qs.filter(in_subtree(user.organization, "organization"))
    return qs.order_by("organization__path", "name")


def co_host_choices():
    """The organizations that may be named co-hosts (the same for every form that names them)."""
    return Organization.objects.filter(status=Status.ACTIVE).order_by("path")


class SearchMultipleInput(SearchInput):
    """Several search boxes under one name: one per chosen row and at least `extra` empty ones
    (three in all at least), each a core.widgets combobox; without JavaScript each box is a
    plain text field that the server resolves like a SearchChoiceField."""

    template_name = "activities/includes/_search_multiple_input.html"
    minimum = 3

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if isinstance(values, str):
            values = [values]
        return [str(v) for v in values if str(v).strip()]

    def value_omitted_from_data(self, data, files, name):
        return False

    def format_value(self, value):
        if value in (None, ""):
            return []
        values = list(value) if isinstance(value, list | tuple | set) else list(value.all())
        ids = [str(v.pk if hasattr(v, "pk") else v) for v in values]
        found = {}
        if self.queryset is not None:
            numbers = [i for i in ids if i.isdecimal()]
            found = {str(o.pk): search_label(o) for o in self.queryset.filter(pk__in=numbers)}
        labels = []
        for v, i in zip(values, ids, strict=True):
            labels.append(search_label(v) if hasattr(v, "pk") else found.get(i, str(v)))
        return labels

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        labels = self.format_value(value)
        base_id = context["widget"]["attrs"].get("id", name)
        boxes = []
        for index, label in enumerate(labels + [""] * max(self.minimum - len(labels), 1)):
            box_id = base_id if index == 0 else f"{base_id}_{index}"
            boxes.append({"id": box_id, "value": label, "listbox_id": f"{box_id}_listbox"})
        context["widget"]["boxes"] = boxes
        return context


class SearchMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows typed into `SearchMultipleInput` boxes, each resolved like a
    core.widgets.SearchChoiceField (the name, "name [number]" or the number) within the
    queryset. Cleans to a list, in the order typed, without repeats."""

    def __init__(self, queryset, *, search_url: str, **kwargs):
        kwargs.setdefault("widget", SearchMultipleInput(search_url))
        super().__init__(queryset, **kwargs)
        self.search_url = search_url
        self.widget.search_url = search_url
        self.widget.queryset = queryset

    def _set_queryset(self, queryset):
        forms.ModelMultipleChoiceField._set_queryset(self, queryset)
        self.widget.queryset = self._queryset

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _set_queryset)

    def clean(self, value):
        texts = [t for t in (value or []) if str(t).strip()]
        if not texts:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        one = SearchChoiceField(self.queryset, search_url=self.search_url)
        chosen, errors = [], []
        for text in texts:
            try:
                row = one.to_python(text)
            except ValidationError as exc:
                errors.extend(exc.error_list)  # keeps each error's code
                continue
            if row is not None and row not in chosen:
                chosen.append(row)
        if errors:
            raise ValidationError(errors)
        self.run_validators(chosen)
        return chosen

    def has_changed(self, initial, data):
        initial_ids = {str(getattr(v, "pk", v)) for v in (initial or [])}
        try:
            chosen = self.clean(data)
        except ValidationError:
            return True
        return {str(o.pk) for o in chosen} != initial_ids


class SearchRowsInput(SearchMultipleInput):
    """`SearchMultipleInput` for any kind of row: each extra box is labelled "<label> <n>"
    (`item_label`), not "Co-host <n>"; `minimum` boxes at least."""

    template_name = "activities/includes/_search_rows_input.html"

    def __init__(self, search_url: str = "", *, item_label="", minimum: int = 3, attrs=None):
        super().__init__(search_url, attrs)
        self.item_label = item_label
        self.minimum = minimum

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["item_label"] = self.item_label
        return context


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ActivityForm(forms.ModelForm):
    # A search field per co-host (core.widgets), not a list of every organization.
    co_hosts = SearchMultipleChoiceField(
        label=_("Co-hosting organizations"),
        queryset=Organization.objects.none(),
        search_url="activities:cohost_search",
        required=False,
        help_text=_("Two or more hosts make the activity joint."),
    )
    # A search field (core.widgets), not one option per organization; the choices are still
    # the user's own (organizations_for), checked on the server.
    organization = SearchChoiceField(
        label=Activity._meta.get_field("organization").verbose_name,
        queryset=Organization.objects.none(),
        search_url="branches:search",
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
        self.fields["co_hosts"].queryset = co_host_choices()
        # 外部参加人数: most meetings have none; an empty field is 0.
        self.fields["outside_participants"].required = False
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
            # Declined co-hosts are not offered again (naming one again asks it again).
            self.fields["co_hosts"].initial = [
                link.organization_id
                for link in self.instance.host_links.all()
                if not link.is_lead and link.state != "declined"
            ]
            if self.instance.booking_id and "room" in self.fields:
                del self.fields["room"]
                del self.fields["expected_attendees"]

    def clean_outside_participants(self):
        return self.cleaned_data.get("outside_participants") or 0

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
    """The secretary's meeting log: the meeting, everyone's attendance (one list, present by
    default; status_<member id> and reason_<member id>) and, optionally, its record."""

    type = forms.ChoiceField(
        label=_("Meeting"),
        choices=[(t.value, t.label) for t in MEETING_TYPES],
        widget=forms.RadioSelect,
        initial=ActivityType.COMMITTEE_MEETING,
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    discussion = forms.CharField(
        label=_("Minutes (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was discussed; it can also be added later."),
    )
    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}
        ),
        help_text=_("Photos or PDF files, at most 10 MB each."),
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Empty: 09:00."),
    )
    place_text = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outside_participants = forms.IntegerField(
        label=_("Outside participants"),
        min_value=0,
        required=False,
        help_text=_("People who are not members of the organization; empty: none."),
    )
    co_hosts = SearchMultipleChoiceField(
        label=_("Co-hosting organizations"),
        queryset=Organization.objects.none(),
        search_url="activities:cohost_search",
        required=False,
        help_text=_("Two or more hosts make the activity joint."),
    )

    # The fields shown under "more" (the page opens that part when one of them has an error).
    MORE_FIELDS = (
        "start_time",
        "place_text",
        "agenda",
        "decisions",
        "outside_participants",
        "co_hosts",
    )

    def __init__(self, *args, members, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.organization = organization
        self.fields["date"].initial = timezone.localdate()
        self.fields["co_hosts"].queryset = co_host_choices()

    @property
    def more_has_errors(self) -> bool:
        return any(name in self.errors for name in self.MORE_FIELDS)

    def clean_outside_participants(self):
        return self.cleaned_data.get("outside_participants") or 0

    def clean(self):
        data = super().clean()
        present, excused, unknown = [], {}, []
        for member in self.members:
            status = (self.data.get(f"status_{member.pk}") or AttendanceStatus.ABSENT).strip()
            reason = (self.data.get(f"reason_{member.pk}") or "").strip()[:100]
            if status == AttendanceStatus.PRESENT:
                present.append(member.pk)
            elif status == AttendanceStatus.EXCUSED:
                excused[member.pk] = reason
            elif status != AttendanceStatus.ABSENT:
                unknown.append(member.name)
        if unknown:
            self.add_error(
                None,
                _("%(names)s: choose present, excused or absent.") % {"names": "、".join(unknown)},
            )
        data["present_ids"] = present
        data["excused"] = excused
        day = data.get("date")
        if day and day > timezone.localdate():
            self.add_error("date", _("A meeting in the future cannot be logged as held."))
        now = timezone.localtime()
        if day == now.date() and data.get("start_time") and data["start_time"] > now.time():
            self.add_error(
                "start_time", _("A meeting that has not started yet cannot be logged as held.")
            )
        if self.organization is not None and self.organization in (data.get("co_hosts") or []):
            self.add_error("co_hosts", _("The lead organization is already a host."))
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
    # Search fields (core.widgets), not one option per organization or checkbox per member.
    organization = SearchChoiceField(
        label=TrainingSession._meta.get_field("organization").verbose_name,
        queryset=Organization.objects.none(),
        search_url="branches:search",
    )
    trainees = SearchMultipleChoiceField(
        label=TrainingSession._meta.get_field("trainees").verbose_name,
        queryset=Member.objects.none(),
        required=False,
        search_url="members:search",
        widget=SearchRowsInput("members:search", item_label=_("Trainee"), minimum=5),
        help_text=_("Type part of a name or its pinyin initials; save to get more boxes."),
    )

    class Meta:
        model = TrainingSession
        fields = ["title", "kind", "organization", "date", "hours", "trainers", "trainees"]
        widgets = {"date": DATE_WIDGET}

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


class ContestForm(forms.ModelForm):
    organization = SearchChoiceField(
        label=Contest._meta.get_field("organization").verbose_name,
        queryset=Organization.objects.none(),
        search_url="branches:search",
    )

    class Meta:
        model = Contest
        fields = ["title", "year", "organization"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for(user)


class ContestEntryForm(forms.ModelForm):
    member = SearchChoiceField(
        label=ContestEntry._meta.get_field("member").verbose_name,
        queryset=Member.objects.none(),
        search_url="members:search",
    )

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
    # Search fields (core.widgets), not one checkbox per member or one option per organization.
    organization = SearchChoiceField(
        label=_("organization"),
        queryset=Organization.objects.none(),
        required=False,
        search_url="branches:search",
    )
    members = SearchMultipleChoiceField(
        label=_("lecturers"),
        queryset=Member.objects.none(),
        required=False,
        search_url="members:search",
        widget=SearchRowsInput("members:search", item_label=_("Lecturer"), minimum=5),
        help_text=_("Type part of a name or its pinyin initials; save to get more boxes."),
    )

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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for(user)
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
