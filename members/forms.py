"""Forms of the roster: member, transfer, participation, commendation, import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Category, Community, Kind, Organization, Status
from members.models import RELATION_KINDS, Member, Skill
from members.selectors import relation_organizations_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(forms.ModelForm):
    skills = forms.ModelMultipleChoiceField(
        label=_("skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "id_number",
            "birth_date",
            "education",
            "joined_party_on",
            "confirmed_on",
            "category",
            "organization",
            "former_unit",
            "former_post",
            "phone",
            "address",
            "party_standing",
            "status",
            "health",
            "lost_contact",
            "lost_contact_since",
            "is_mobile",
            "mobile_to",
            "willing_to_volunteer",
            "skills",
            "registered_community",
            "registered_on",
        ]
        widgets = {
            "birth_date": DATE,
            "joined_party_on": DATE,
            "confirmed_on": DATE,
            "lost_contact_since": DATE,
            "registered_on": DATE,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The relation moves only through a transfer.
            del self.fields["organization"]
        else:
            del self.fields["status"]
            self.fields["organization"].queryset = relation_organizations_for(user)
        self.fields["registered_community"].queryset = self.fields[
            "registered_community"
        ].queryset.select_related("street")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("skills", None)
        data.pop("organization", None)
        return data


class TransferRequestForm(forms.Form):
    to_organization = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Organization.objects.filter(kind__in=RELATION_KINDS, status=Status.ACTIVE),
    )
    reason = forms.CharField(label=_("reason"), max_length=200)


class TransferReturnForm(forms.Form):
    return_reason = forms.CharField(label=_("reason for returning"), max_length=200)


class ParticipationForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Three-affinity group"),
        queryset=Organization.objects.filter(
            category=Category.THREE_AFFINITY, kind=Kind.PARTY_GROUP, status=Status.ACTIVE
        ),
    )
    role = forms.CharField(label=_("role in the group"), max_length=50, required=False)
    joined_on = forms.DateField(label=_("joined on"), required=False, widget=DATE)


class CommendationForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("commendation", "title"), max_length=100)
    year = forms.IntegerField(label=_("year"), min_value=1921)
    awarded_by = forms.CharField(label=_("awarded by"), max_length=100)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Use the template; at most 5 MB and 20,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    only_valid = forms.BooleanField(
        label=_("Import only the valid rows (skip the rows with problems)"), required=False
    )


class TalentSearchForm(forms.Form):
    skill = forms.ModelChoiceField(
        label=_("skill"), queryset=Skill.objects.all(), to_field_name="name", required=False
    )
    community = forms.ModelChoiceField(
        label=_("registered community"),
        queryset=Organization.objects.none(),
        required=False,
    )
    willing = forms.BooleanField(label=_("Willing to volunteer only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["community"].queryset = Community.objects.all()
