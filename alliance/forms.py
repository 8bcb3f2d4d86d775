"""Forms and filters of community coordination and the mediation studio.

The boards' FilterSets are used by the pages and by the Excel export alike.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import SearchMultipleChoiceField, SearchRowsInput
from activities.selectors import organizations_for
from alliance.models import (
    AllianceMembership,
    AnnualTarget,
    CaseOutcome,
    CoordinationCategory,
    DisputeKind,
    DocumentCategory,
    MediationStudio,
    NeedState,
    ResourceState,
    validate_no_id_number,
)
from alliance.permissions import community_organization_of
from alliance.selectors import mediators_for
from branches.models import Community, Kind, Organization, Status
from core.widgets import SearchChoiceField
from members.models import Member, Skill

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _skills():
    return Skill.objects.all()


class NeedFilter(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), queryset=Community.objects.filter(needs__isnull=False).distinct()
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=CoordinationCategory.choices
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=NeedState.choices, field_name="current_state"
    )


class ResourceFilter(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        queryset=Community.objects.filter(
            organizations__offered_resources__isnull=False
        ).distinct(),
        field_name="organization__community",
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=CoordinationCategory.choices
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=ResourceState.choices)


class NeedForm(forms.Form):
    organization = SearchChoiceField(
        label=_("Community party organization"),
        queryset=Organization.objects.none(),
        search_url="branches:search",
        help_text=_("The community party organization that asks."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=CoordinationCategory.choices)
    wanted_by = forms.DateField(label=_("Wanted by"), widget=DATE)
    people_wanted = forms.IntegerField(label=_("People wanted"), min_value=1, initial=1)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills wanted"),
        queryset=_skills(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = _skills()
        organizations = Organization.objects.filter(
            kind=Kind.COMMUNITY_ORG, status=Status.ACTIVE
        ).order_by("name")
        if not user.is_bureau_staff:
            # A liaison or a community party organization's secretary posts for their own.

            own = community_organization_of(user)
            organizations = organizations.filter(pk=own.pk if own else None)
            if own:
                self.fields["organization"].initial = own.pk
        self.fields["organization"].queryset = organizations

    def clean_wanted_by(self):
        value = self.cleaned_data["wanted_by"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The wanted-by date cannot be in the past."))
        return value


class ResourceForm(forms.Form):
    organization = SearchChoiceField(
        label=_("Offering organization"),
        queryset=Organization.objects.none(),
        search_url="branches:search",
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=CoordinationCategory.choices)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=_skills(), required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, initial=1)
    available_from = forms.DateField(label=_("Offered from"), widget=DATE)
    available_until = forms.DateField(label=_("Offered until"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = _skills()
        self.fields["organization"].queryset = _own_organizations(user)
        if user.organization_id:
            self.fields["organization"].initial = user.organization_id

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error(
                "available_until", _("The end of the period cannot be before its start.")
            )
        return data


def _own_organizations(user):
    """The active organizations the user may act for: all of them for bureau staff, their
    own organization's subtree otherwise."""
    if user.is_bureau_staff:
        organizations = Organization.objects.all()
    elif user.organization_id:
        organizations = Organization.objects.subtree(user.organization)
    else:
        organizations = Organization.objects.none()
    return organizations.filter(status=Status.ACTIVE).order_by("path")


class NeedClaimForm(forms.Form):
    organization = SearchChoiceField(
        label=_("Claiming organization"),
        queryset=Organization.objects.none(),
        search_url="branches:search",
    )
    people = forms.IntegerField(label=_("People you can send"), min_value=1, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, need=None, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = _own_organizations(user)
        if need is not None:
            organizations = organizations.exclude(pk=need.posted_by_organization_id)
        self.fields["organization"].queryset = organizations
        if user.organization_id:
            self.fields["organization"].initial = user.organization_id


class ResourceClaimForm(forms.Form):
    people = forms.IntegerField(label=_("Number of people to serve"), min_value=1, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=200, required=False)


class StudioForm(forms.ModelForm):
    """A mediation studio, set up and kept by bureau staff; the host organization is a search
    field (core.widgets), never a list of every organization."""

    host_organization = SearchChoiceField(
        label=_("host organization"),
        queryset=Organization.objects.none(),
        search_url="branches:search",
        help_text=_("Type part of the name or its number."),
    )

    class Meta:
        model = MediationStudio
        fields = ["name", "community", "host_organization", "address", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_organization"].queryset = organizations_for(user)
        self.fields["community"].queryset = Community.objects.select_related("district").order_by(
            "district__position", "name"
        )
        self.fields["community"].empty_label = _("Choose the community")
        if not self.instance.pk:
            del self.fields["is_active"]

    def _post_clean(self):
        # The services validate (studio_create / studio_update) and name the problem.
        pass


class RotaShiftForm(forms.Form):
    # Only members with the mediation or law skill, found by search (alliance:mediator_search).
    member = SearchChoiceField(
        label=_("Mediator"),
        queryset=Member.objects.none(),
        search_url="alliance:mediator_search",
        help_text=_("Members with the mediation or law skill: type part of the name."),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = mediators_for(user)


class MediationCaseForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind of dispute"), choices=DisputeKind.choices)
    parties = forms.CharField(
        label=_("Parties"),
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_id_number],
        help_text=_("Names or descriptions only, never ID numbers."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_id_number],
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices)
    follow_up_on = forms.DateField(label=_("Follow up on"), widget=DATE, required=False)
    mediators = SearchMultipleChoiceField(
        label=_("Mediators"),
        queryset=Member.objects.none(),
        required=False,
        search_url="alliance:mediator_search",
        widget=SearchRowsInput("alliance:mediator_search", item_label=_("Mediator")),
        help_text=_("Those on this studio's rota."),
    )

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["mediators"].queryset = (
            Member.objects.filter(mediation_shifts__studio=studio).distinct().order_by("name")
        )


# --- The alliance registry and annual targets ---


class AllianceJoinForm(forms.ModelForm):
    organization = SearchChoiceField(
        label=_("organization"),
        queryset=Organization.objects.none(),
        search_url="branches:search",
        help_text=_("An active organization not yet in the alliance: type part of its name."),
    )

    class Meta:
        model = AllianceMembership
        fields = ["organization", "joined_on", "hub", "role"]
        widgets = {"joined_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.filter(status=Status.ACTIVE)
            .exclude(
                pk__in=AllianceMembership.objects.filter(left_on__isnull=True).values(
                    "organization"
                )
            )
            .order_by("name")
        )
        self.fields["joined_on"].initial = timezone.localdate()

    def _post_clean(self):
        pass


class AllianceLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("left on"), widget=DATE)


class AnnualTargetForm(forms.ModelForm):
    class Meta:
        model = AnnualTarget
        fields = [
            "year",
            "organizations_target",
            "coverage_rate_target",
            "participation_rate_target",
            "note",
        ]

    def _post_clean(self):
        pass


# --- Documents (制度与通知) ----------------------------------------------------------------


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        required=False,
        help_text=_("The 文号, e.g. 银老干发〔2022〕12号; leave empty when it has none."),
    )
    issuer = forms.CharField(label=_("Issuer"), max_length=100)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    to_all = forms.BooleanField(
        label=_("Address it to all organizations"), required=False, initial=True
    )
    recipients = SearchMultipleChoiceField(
        label=_("Or address it to these organizations (with everything below them)"),
        queryset=Organization.objects.none(),
        required=False,
        search_url="branches:search",
        widget=SearchRowsInput("branches:search", item_label=_("Organization")),
        help_text=_("Type part of a name; save to get more boxes."),
    )
    reply_required = forms.BooleanField(label=_("A reply is required"), required=False)
    reply_by = forms.DateField(label=_("Reply by"), widget=DATE, required=False)
    attachment = forms.FileField(
        label=_("Attachment (PDF, Word, Excel or a photo; at most 20 MB)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = (
            Organization.objects.filter(status=Status.ACTIVE)
            .exclude(kind=Kind.PARTY_GROUP)
            .order_by("path")
        )
        self.fields["issued_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if not data.get("to_all") and not data.get("recipients"):
            self.add_error(
                "recipients",
                _("Choose the organizations the document is addressed to, or address it to all."),
            )
        if data.get("reply_by") and not data.get("reply_required"):
            self.add_error("reply_by", _("A reply date needs a required reply."))
        return data


class DocumentSearchForm(forms.Form):
    q = forms.CharField(label=_("Title, document number or text"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *DocumentCategory.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )


class DocumentAttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment (PDF, Word, Excel or a photo; at most 20 MB)"))


class DocumentReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(
        label=_("Attachment (PDF, Word, Excel or a photo; at most 20 MB)"), required=False
    )
