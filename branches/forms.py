"""Forms of the organization pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import (
    PARTY_KINDS,
    SIX_HAVES,
    Category,
    CommitteePosition,
    CommitteeTerm,
    Kind,
    Organization,
    Status,
    in_subtree,
)
from branches.selectors import MEMBER_NORMAL, communities_by_district
from core.models import User
from core.widgets import SearchChoiceField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

SIX_HAVE_FIELDS = [name for field, _label in SIX_HAVES for name in (field, f"{field}_note")]
STAFF_FIELDS = [
    "name",
    "kind",
    "category",
    "affinity",
    "department",
    "parent",
    "district",
    "community",
    "founded_on",
    "directly_managed",
    "pilot_year",
    "demonstration_year",
    "annual_theme",
    "brand",
    "liaison",
    *SIX_HAVE_FIELDS,
]
# A secretary keeps their organization's own records; its place in the tree and its flags
# (directly managed, pilot, demonstration site) are the bureau's.
SECRETARY_EDIT_FIELDS = [
    "name",
    "district",
    "community",
    "founded_on",
    "annual_theme",
    "brand",
    *SIX_HAVE_FIELDS,
]
# Progressive disclosure (static/js/organization_form.js, checked again in `clean`): a category
# only for party organizations below a working committee, an affinity only for three-affinity
# ones. Fields that do not apply are hidden and cleared, so no empty choice is ever sent.
CATEGORY_KINDS = sorted(k for k in PARTY_KINDS if k != Kind.WORKING_COMMITTEE)
# The optional records, folded under "More details" (open when one of them has a value or an
# error).
OPTIONAL_FIELDS = [
    "founded_on",
    "directly_managed",
    "pilot_year",
    "demonstration_year",
    "annual_theme",
    "brand",
    "liaison",
    *SIX_HAVE_FIELDS,
]
SECRETARY_CREATE_FIELDS = [
    "name",
    "kind",
    "category",
    "affinity",
    "parent",
    *SECRETARY_EDIT_FIELDS[1:],
]


def grouped_community_choices(blank_label="---------") -> list:
    """Communities grouped by district for a plain <select> (optgroups)."""
    return [("", blank_label), *communities_by_district()]


class OrganizationForm(forms.ModelForm):
    # A search field (core.widgets), not one <option> per organization; the queryset (the
    # user's scope) is set below and is what the typed name or number is resolved in.
    parent = SearchChoiceField(
        label=_("parent organization"),
        queryset=Organization.objects.none(),
        required=False,
        search_url="branches:search",
        help_text=_("Type part of the name or its number."),
    )

    class Meta:
        model = Organization
        fields = STAFF_FIELDS
        widgets = {"founded_on": DATE}

    def __init__(self, *args, user=None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        staff = bool(user and user.is_bureau_staff)
        keep = (
            STAFF_FIELDS
            if staff
            else (SECRETARY_CREATE_FIELDS if creating else SECRETARY_EDIT_FIELDS)
        )
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "community" in self.fields:
            self.fields["community"].choices = grouped_community_choices()
            self.fields["community"].help_text = _("Choose a community in the chosen district.")
        if "parent" in self.fields:
            parents = Organization.objects.filter(status=Status.ACTIVE).order_by("path")
            if not staff and user is not None and user.organization_id:
                parents = parents.subtree(user.organization)
                self.fields["parent"].required = True
            if self.instance.pk:
                parents = parents.exclude(in_subtree(self.instance))
            self.fields["parent"].queryset = parents
        if "liaison" in self.fields:
            self.fields["liaison"].queryset = User.objects.filter(is_active=True).order_by(
                "username"
            )
        blank_labels = {
            "kind": _("Choose the kind"),
            "category": _("Choose the category"),
            "affinity": _("Choose the affinity"),
            "department": _("None"),
            "district": _("Choose the district"),
            "brand": _("None"),
            "liaison": _("None"),
        }
        for name, label in blank_labels.items():
            field = self.fields.get(name)
            if field is None:
                continue
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = label
            else:
                field.choices = [("", label), *[c for c in field.choices if c[0] != ""]]
        if "community" in self.fields:
            self.fields["community"].choices = grouped_community_choices(_("None"))
        if "kind" in self.fields:
            self.fields["kind"].widget.attrs["data-category-kinds"] = " ".join(CATEGORY_KINDS)
        if "category" in self.fields:
            self.fields["category"].widget.attrs["data-affinity-category"] = Category.THREE_AFFINITY

    def main_fields(self):
        return [self[name] for name in self.fields if name not in OPTIONAL_FIELDS]

    def optional_fields(self):
        return [self[name] for name in self.fields if name in OPTIONAL_FIELDS]

    def optional_open(self) -> bool:
        """Open "More details" when one of its fields has an error."""
        return any(n in self.errors for n in self.fields if n in OPTIONAL_FIELDS)

    def clean(self):
        cleaned = super().clean()
        # What the page hides does not apply: clear it (without JavaScript, a stale choice
        # would otherwise be refused by the model rules for a field the user cannot see).
        kind = cleaned.get("kind", self.instance.kind if self.instance.pk else "")
        if "category" in self.fields and kind not in CATEGORY_KINDS:
            cleaned["category"] = ""
        category = cleaned.get("category", self.instance.category)
        if "affinity" in self.fields and category != Category.THREE_AFFINITY:
            cleaned["affinity"] = ""
        return cleaned

    def _post_clean(self):
        # The services validate (model rules, names, cycles) and name the field; the form only
        # converts the input, so a message is not shown twice.
        pass


class DissolveForm(forms.Form):
    dissolved_on = forms.DateField(label=_("dissolved on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dissolved_on"].initial = timezone.localdate()


class TermForm(forms.ModelForm):
    class Meta:
        model = CommitteeTerm
        fields = ["started_on", "ends_on", "extended_until", "extension_reason"]
        widgets = {"started_on": DATE, "ends_on": DATE, "extended_until": DATE}

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["extended_until"]
            del self.fields["extension_reason"]
            self.fields["ends_on"].required = False
            self.fields["ends_on"].help_text = _(
                "Leave empty for the usual term: 3 years, 5 for community organizations."
            )

    def _post_clean(self):
        pass


class PositionForm(forms.ModelForm):
    member = SearchChoiceField(
        label=_("member"),
        queryset=CommitteePosition._meta.get_field("member").related_model.objects.none(),
        required=False,
        search_url="members:search",
    )

    class Meta:
        model = CommitteePosition
        fields = ["position", "member", "person_name"]

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)

        # The organization's own members (members.Member, by its reverse name).
        self.fields["member"].queryset = (
            organization.members.filter(status=MEMBER_NORMAL).order_by("name")
            if organization is not None
            else self.fields["member"].queryset.none()
        )
        self.fields["person_name"].required = False
        self.fields["person_name"].help_text = _("Needed only when no member is chosen.")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("member") and not (cleaned.get("person_name") or "").strip():
            self.add_error("person_name", _("Choose a member or give a name."))
        return cleaned

    def _post_clean(self):
        pass
