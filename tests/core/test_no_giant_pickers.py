"""No giant pickers (issues 17 and 19): every form field that picks an organization or a member
is a search field (core.widgets.SearchInput and its multiple-row forms), never a widget that
renders one <option> or checkbox per row; and the pages that had the biggest ones stay small
with 2,000+ organizations and members."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.urls import reverse

from alliance.services import studio_create
from branches.models import Community, Organization
from core.widgets import SearchInput
from members.models import Member, Skill
from tests.core.test_reference_fields import project_forms

# Forms whose organization or member field may still list its choices: each set is small by
# its nature (the reason says why). Anything else must be a search field.
SMALL_CHOICE_SETS = {
    "members.forms.TalentSearchForm.community": "community party organizations (one a "
    "community, a few dozen in the city)",
    "members.forms.ParticipationForm.organization": "three-affinity party groups only",
}
# Not converted yet: empty since issue 19's follow-up converted the last ones. Should a field
# ever need to wait here, the test fails once it has become a search field, so the list cannot
# go stale.
NOT_YET_CONVERTED: set[str] = set()

MODELS = (Organization, Member)


def _picks_people_or_organizations(field) -> bool:
    queryset = getattr(field, "queryset", None)
    return queryset is not None and queryset.model in MODELS


def _fields():
    for name, form_class in sorted(project_forms().items()):
        for field_name, field in form_class.base_fields.items():
            if isinstance(field, forms.ModelChoiceField) and _picks_people_or_organizations(field):
                yield f"{name}.{field_name}", field


def test_every_organization_or_member_picker_is_a_search_field():
    listed = sorted(
        key
        for key, field in _fields()
        if not isinstance(field.widget, SearchInput)
        and key not in SMALL_CHOICE_SETS
        and key not in NOT_YET_CONVERTED
    )
    assert listed == [], f"these pickers render every row; make them search fields: {listed}"


def test_the_lists_of_exceptions_are_not_stale():
    found = dict(_fields())
    for key in [*SMALL_CHOICE_SETS, *NOT_YET_CONVERTED]:
        assert key in found, f"{key} is no longer a form field: drop it from the list"
        assert not isinstance(found[key].widget, SearchInput), (
            f"{key} is a search field now: drop it from the list"
        )


def test_a_form_with_its_queryset_set_only_in_init_is_walked_too():
    # RotaShiftForm and MediationCaseForm set their queryset in __init__: the class-level one
    # must still name the model, or the walk above would not see the field.
    keys = dict(_fields())
    assert "alliance.forms.RotaShiftForm.member" in keys
    assert "alliance.forms.MediationCaseForm.mediators" in keys
    assert "activities.forms.LectureTeamForm.members" in keys


# --- Pages stay small with 2,000+ organizations and members -----------------------------------

CROWD = 2100
MAX_BYTES = 150_000
MAX_CHOICES = 500


@pytest.fixture
def crowd(db, org_tree):
    """2,100 branches under the committee and 2,100 members in branch A, every one a mediator."""
    committee = org_tree.committee
    Organization.objects.bulk_create(
        Organization(
            name=f"测试党支部{i:04d}",
            kind="branch",
            category="established",
            parent=committee,
            path=f"{committee.path}{90000000 + i:08d}/",
            depth=committee.depth + 1,
        )
        for i in range(CROWD)
    )
    members = Member.objects.bulk_create(
        Member(
            organization=org_tree.branch_a,
            name=f"测试{i:04d}",
            name_initials="cs",
            gender="male",
            birth_date=datetime.date(1950, 1, 1),
        )
        for i in range(CROWD)
    )
    skill, _ = Skill.objects.get_or_create(name="调解")
    Member.skills.through.objects.bulk_create(
        Member.skills.through(member_id=m.pk, skill_id=skill.pk) for m in members
    )
    return org_tree


def _choices_in(html: str) -> int:
    return len(re.findall(r"<option\b", html)) + len(re.findall(r'type="checkbox"', html))


def _small(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < MAX_BYTES, len(response.content)
    # The fixed reference lists (the city's ~305 communities, grouped by district) are the only
    # long ones; nothing grows with the number of organizations or members.
    assert _choices_in(html) < MAX_CHOICES, _choices_in(html)
    return html


def test_new_organization_form_stays_small(client, crowd, staff_user):
    client.force_login(staff_user)
    html = _small(client.get(reverse("branches:create")))
    assert 'role="combobox"' in html and 'name="parent"' in html
    assert "测试党支部0001" not in html


def test_new_lecture_team_stays_small(client, crowd, staff_user):
    client.force_login(staff_user)
    html = _small(client.get(reverse("activities:lectures")))
    assert 'name="members"' in html and 'role="combobox"' in html
    assert "测试0001" not in html


def test_mediation_studio_and_rota_forms_stay_small(client, crowd, staff_user):
    client.force_login(staff_user)
    html = _small(client.get(reverse("alliance:studio_create")))
    assert 'name="host_organization"' in html and "测试党支部0001" not in html
    studio = studio_create(
        acting_user=staff_user,
        community=Community.objects.order_by("pk").first(),
        name="老王说和室",
        host_organization=crowd.branch_a,
    )
    for name in ("studio_edit", "rota_shift_add", "case_add"):
        html = _small(client.get(reverse(f"alliance:{name}", args=[studio.pk])))
        assert "测试0001" not in html and "测试党支部0001" not in html


@pytest.mark.parametrize(
    ("url_name", "field_names"),
    [
        ("activities:create", ("organization",)),
        ("activities:training_create", ("organization", "trainees")),
        ("activities:contests", ("organization",)),
        ("members:create", ("organization",)),
        ("venues:venue_create", ("owner",)),
    ],
)
def test_the_last_converted_forms_stay_small(client, crowd, staff_user, url_name, field_names):
    client.force_login(staff_user)
    html = _small(client.get(reverse(url_name)))
    for field_name in field_names:
        assert re.search(rf'name="{field_name}"[^>]*role="combobox"', html), field_name
    assert "测试0001" not in html and "测试党支部0001" not in html
