"""Forms of the roster: member, transfer, participation, commendation, import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Category, Community, Kind, Organization, Status
from core.widgets import SearchChoiceField
from members.identity import birth_and_gender, normalize_id_number
from members.models import RELATION_KINDS, Member, Skill
from members.selectors import may_see_full_id_number, relation_organizations_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(forms.ModelForm):
    # A search field (core.widgets) over the organizations the user may see; the choices are
    # still only where the user may put a relation (relation_organizations_for), checked here.
    organization = SearchChoiceField(
        label=Member._meta.get_field("organization").verbose_name,
        queryset=Organization.objects.none(),
        search_url="branches:search",
    )
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
        self.fields["name"].label = pgettext_lazy("person", "name")
        # 出生日期 and 性别 are read from an 18-digit ID number; asked only without one.
        for name in ("birth_date", "gender"):
            self.fields[name].required = False
            self.fields[name].help_text = _(
                "Filled in from the ID number; needed only for a member without one."
            )
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "data-derives": "birth_date gender"}
        )
        # Whoever sees ID numbers masked never finds one (nor its birth date) in an input:
        # the field is empty, and typing a new number changes it.
        self.keeps_masked_id = bool(
            self.instance.pk and not may_see_full_id_number(user) and self.instance.id_number
        )
        if self.keeps_masked_id:
            self.initial["id_number"] = ""
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "Leave empty to keep the current number; type a new one to change it."
            )
            self.fields["id_number"].widget.attrs["data-on-file"] = "1"
        if self.instance.pk and birth_and_gender(self.instance.id_number):
            self.initial["birth_date"] = None
            self.initial["gender"] = ""
        if self.instance.pk:
            # The relation moves only through a transfer.
            del self.fields["organization"]
        else:
            del self.fields["status"]
            self.fields["organization"].queryset = relation_organizations_for(user)
        self.fields["registered_community"].queryset = self.fields[
            "registered_community"
        ].queryset.select_related("street")

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data.get("id_number", ""))
        if not value and self.keeps_masked_id:
            return self.instance.id_number
        return value

    def clean(self):
        data = super().clean()
        derived = birth_and_gender(data.get("id_number") or "")
        if derived:
            data["birth_date"], data["gender"] = derived
        else:
            # No ID number, or one that is wrong (its own message says why): asked here.
            for name, message in (
                ("birth_date", _("Give the birth date, or an ID number to read it from.")),
                ("gender", _("Give the gender, or an ID number to read it from.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("skills", None)
        data.pop("organization", None)
        return data


class TransferRequestForm(forms.Form):
    # A search field (core.widgets): any active branch, found by name or number.
    to_organization = SearchChoiceField(
        label=_("Transfer to"),
        queryset=Organization.objects.filter(kind__in=RELATION_KINDS, status=Status.ACTIVE),
        search_url="branches:transfer_target_search",
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
    """The one 导入 button: the counts it showed come back, so that nothing else is written."""

    token = forms.CharField(widget=forms.HiddenInput)
    to_import = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    to_skip = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


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
