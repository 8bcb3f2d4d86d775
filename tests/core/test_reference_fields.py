"""Every form field that names an organization, member, room or activity is authorised
against the acting user's scope (issue 18, pretix-style).

The walk: every form class of the project's apps that has a ModelChoiceField or a
ModelMultipleChoiceField is found by importing the apps' modules and walking the subclasses of
Django's BaseForm. Each must be listed in COVERED (or the first test fails, naming it): for every
reference field, either an attack (an object outside the scope of branch B's secretary, who is
the attacker throughout) or the reason why any value is right (reference data everyone picks
from, a request the other side answers). The attack binds the form as the view builds it for the
attacker and must end in an "invalid choice" error on that very field; forms that only bureau
staff may send also check that the secretary lacks the permission. Then the activities forms are
posted through their pages, as the attacker, with otherwise valid data: refused (form error, 403
or 404) and not one row written anywhere.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django import forms
from django.apps import apps
from django.http import QueryDict
from django.urls import reverse

from activities import selectors as activity_selectors
from activities import services as activity_services
from tests.activities.conftest import at, make_member

pytestmark = pytest.mark.django_db

PROJECT_APPS = (
    "activities",
    "alliance",
    "assessment",
    "branches",
    "core",
    "home",
    "members",
    "venues",
)

# Lists everyone picks from: naming any of them gives nobody access to anyone's records.
REFERENCE_DATA = {"Skill", "Facility", "District", "Community", "Department", "Rubric", "Street"}


def _import_project_modules() -> None:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in info.name for part in (".migrations", ".management", ".tests")):
                continue
            importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def reference_fields(form_class) -> dict[str, forms.ModelChoiceField]:
    return {
        name: f
        for name, f in form_class.base_fields.items()
        if isinstance(f, forms.ModelChoiceField)
    }


def project_forms() -> dict[str, type]:
    """'module.Class' → every form class of the project with a model-choice field."""
    _import_project_modules()
    found = {}
    for cls in _subclasses(forms.BaseForm):
        if cls.__module__.split(".")[0] not in PROJECT_APPS:
            continue
        if reference_fields(cls):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


@dataclass
class Entry:
    # Builds the form as its view does for the attacker: (ctx, bound data) → form.
    build: Callable | None
    # field → the out-of-scope object to post into it.
    attacks: dict[str, Callable] = field(default_factory=dict)
    # field → why any value is right.
    legitimate: dict[str, str] = field(default_factory=dict)
    # A permission the attacker (a secretary) must not have: only the bureau sends this form.
    staff_only: str = ""


def _form(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _kw(dotted: str, **kwargs):
    """A builder: the form class at `dotted` with the attacker as `user` plus `kwargs`."""

    def build(ctx, data):
        values = {k: (v(ctx) if callable(v) else v) for k, v in kwargs.items()}
        return _form(dotted)(data, **values)

    return build


def _user(ctx):
    return ctx.attacker


ORG_A = lambda ctx: ctx.org_tree.branch_a  # noqa: E731 — branch A: not the attacker's
MEMBER_A = lambda ctx: ctx.member_a  # noqa: E731
COMMITTEE = lambda ctx: ctx.org_tree.committee  # noqa: E731 — above the attacker


COVERED: dict[str, Entry] = {
    # --- activities ---
    "activities.forms.ActivityForm": Entry(
        build=_kw("activities.forms.ActivityForm", user=_user),
        attacks={"organization": ORG_A, "room": lambda ctx: ctx.closed_room},
        legitimate={
            "co_hosts": "a request that the named organization accepts or declines "
            "(test_co_host_of_another_organization_is_only_a_request)"
        },
    ),
    "activities.forms.MeetingLogForm": Entry(
        build=None,
        legitimate={
            "co_hosts": "a request that the named organization accepts or declines (the "
            "meeting log creates the activity through activity_create)"
        },
    ),
    "activities.forms.JudgeScoreForm": Entry(
        build=_kw("activities.forms.JudgeScoreForm", contest=lambda ctx: ctx.contest),
        attacks={"entry": lambda ctx: ctx.other_entry},
        staff_only="activities.change_contest",
    ),
    "activities.forms.ComplianceFilterForm": Entry(
        build=_kw("activities.forms.ComplianceFilterForm", user=_user),
        attacks={"organization": ORG_A},
    ),
    "activities.forms.TrainingSessionForm": Entry(
        build=_kw("activities.forms.TrainingSessionForm", user=_user),
        attacks={"organization": ORG_A, "trainees": MEMBER_A},
    ),
    "activities.forms.ContestForm": Entry(
        build=None,
        legitimate={"organization": "only bureau staff create contests"},
        staff_only="activities.change_contest",
    ),
    "activities.forms.ContestEntryForm": Entry(
        build=_kw("activities.forms.ContestEntryForm", user=_user),
        attacks={"member": MEMBER_A},
        staff_only="activities.change_contest",
    ),
    "activities.forms.LectureTeamForm": Entry(
        build=_kw("activities.forms.LectureTeamForm", user=_user),
        attacks={"members": MEMBER_A, "organization": ORG_A},
        staff_only="activities.change_lectureteam",
    ),
    # --- venues ---
    "venues.forms.BookingForm": Entry(
        build=_kw("venues.forms.BookingForm", user=_user),
        attacks={"organization": ORG_A},
    ),
    "venues.forms.FreeRoomForm": Entry(build=None),
    "venues.forms.RoomForm": Entry(build=None),
    "venues.forms.VenueForm": Entry(
        build=_kw("venues.forms.VenueForm", user=_user),
        attacks={"owner": ORG_A},
    ),
    # --- alliance ---
    "alliance.forms.NeedForm": Entry(
        build=_kw("alliance.forms.NeedForm", user=_user),
        attacks={"organization": ORG_A},
    ),
    "alliance.forms.ResourceForm": Entry(
        build=_kw("alliance.forms.ResourceForm", user=_user),
        attacks={"organization": ORG_A},
    ),
    "alliance.forms.NeedClaimForm": Entry(
        build=_kw("alliance.forms.NeedClaimForm", user=_user),
        attacks={"organization": ORG_A},
    ),
    "alliance.forms.RotaShiftForm": Entry(
        build=_kw("alliance.forms.RotaShiftForm", user=_user),
        attacks={"member": MEMBER_A},
    ),
    "alliance.forms.StudioForm": Entry(
        build=_kw("alliance.forms.StudioForm", user=_user),
        attacks={"host_organization": ORG_A},
        staff_only="alliance.add_mediationstudio",
    ),
    "alliance.forms.MediationCaseForm": Entry(
        build=_kw("alliance.forms.MediationCaseForm", studio=lambda ctx: ctx.studio),
        attacks={"mediators": MEMBER_A},
    ),
    "alliance.forms.DocumentForm": Entry(
        build=None,
        legitimate={"recipients": "the bureau sends documents to any organization"},
        staff_only="alliance.add_document",
    ),
    "alliance.forms.AllianceJoinForm": Entry(
        build=None,
        legitimate={"organization": "only bureau staff keep the alliance registry"},
        staff_only="alliance.change_alliancemembership",
    ),
    # --- assessment ---
    "assessment.forms.RoundForm": Entry(build=None, staff_only="assessment.change_round"),
    "assessment.forms.RoundScopeForm": Entry(
        build=None,
        legitimate={
            "add": "only bureau staff scope a round",
            "remove": "only bureau staff scope a round",
        },
        staff_only="assessment.change_round",
    ),
    "assessment.forms.AssignForm": Entry(
        build=None,
        legitimate={
            "organizations": "only bureau staff assign supervisors",
            "supervisors": "only bureau staff assign supervisors",
        },
        staff_only="assessment.change_round",
    ),
    "assessment.forms.InspectionForm": Entry(
        build=None,
        legitimate={
            "organization": "inspections are recorded by the bureau and supervisors",
            "inspectors": "inspections are recorded by the bureau and supervisors",
        },
        staff_only="assessment.change_inspection",
    ),
    # --- branches ---
    "branches.election_forms.ElectionPlanForm": Entry(
        build=_kw(
            "branches.election_forms.ElectionPlanForm",
            full_members=lambda ctx: ctx.org_tree.branch_b.members.all(),
        ),
        attacks={"candidates": MEMBER_A},
    ),
    "branches.forms.OrganizationForm": Entry(
        build=_kw("branches.forms.OrganizationForm", user=_user, creating=True),
        attacks={"parent": COMMITTEE},
        legitimate={"liaison": "only bureau staff name liaisons (not in a secretary's form)"},
    ),
    "branches.forms.PositionForm": Entry(
        build=_kw("branches.forms.PositionForm", organization=lambda ctx: ctx.org_tree.branch_b),
        attacks={"member": MEMBER_A},
    ),
    # --- members ---
    "members.forms.TransferRequestForm": Entry(
        build=None,
        legitimate={
            "to_organization": "a transfer names its destination anywhere; the receiving "
            "organization's secretary approves it"
        },
    ),
    "members.forms.ParticipationForm": Entry(
        build=None,
        legitimate={"organization": "three-affinity groups are open to members of any branch"},
    ),
    "members.forms.TalentSearchForm": Entry(
        build=None,
        legitimate={"community": "a filter that narrows the members the user reads"},
    ),
    "members.care_forms.CareFilterForm": Entry(build=None),
    "members.forms.MemberForm": Entry(
        build=_kw("members.forms.MemberForm", user=_user),
        attacks={"organization": ORG_A},
    ),
}


@pytest.fixture
def ctx(org_tree, staff_user, other_secretary):
    from activities.models import Contest, ContestEntry
    from alliance.models import MediationStudio
    from venues.models import Room, Venue

    member_a = make_member(org_tree.branch_a, "王建国", acting_user=staff_user)
    member_b = make_member(org_tree.branch_b, "陈国华", acting_user=staff_user)
    venue = Venue.objects.create(
        name="已停用的活动中心", district=org_tree.district, owner=org_tree.branch_a
    )
    closed_room = Room.objects.create(
        venue=venue,
        name="一号厅",
        type=Room._meta.get_field("type").choices[0][0],
        capacity=20,
        is_active=False,
    )
    contest = Contest.objects.create(title="本届", year=2025, organization=org_tree.committee)
    other_contest = Contest.objects.create(
        title="另一届", year=2024, organization=org_tree.committee
    )
    other_entry = ContestEntry.objects.create(contest=other_contest, member=member_a, title="初心")
    studio = MediationStudio.objects.create(
        community=org_tree.community, name="调解室", host_organization=org_tree.branch_b
    )
    return SimpleNamespace(
        org_tree=org_tree,
        staff=staff_user,
        attacker=other_secretary,
        member_a=member_a,
        member_b=member_b,
        closed_room=closed_room,
        contest=contest,
        other_entry=other_entry,
        studio=studio,
    )


def test_every_form_with_a_reference_field_is_covered():
    """A new form with a ModelChoiceField or ModelMultipleChoiceField fails here until its
    reference fields are attacked below or said to be free."""
    found = project_forms()
    missing = sorted(set(found) - set(COVERED))
    assert not missing, f"forms with reference fields not covered: {missing}"
    unexplained = []
    for name, cls in found.items():
        entry = COVERED[name]
        for field_name, f in reference_fields(cls).items():
            model = getattr(f.queryset, "model", None)
            if model is not None and model.__name__ in REFERENCE_DATA:
                continue
            if field_name not in entry.attacks and field_name not in entry.legitimate:
                if entry.staff_only:
                    continue  # the secretary never gets the form (checked below)
                unexplained.append(f"{name}.{field_name}")
    assert not unexplained, f"reference fields neither attacked nor explained: {unexplained}"
    assert not set(COVERED) - set(found), "COVERED names a form that no longer exists"


def _bound(form_name: str, ctx, field_name: str, value):
    entry = COVERED[form_name]
    data = QueryDict(mutable=True)
    f = reference_fields(_form(form_name))[field_name]
    if isinstance(f, forms.ModelMultipleChoiceField):
        data.setlist(field_name, [str(value.pk)])
    else:
        data[field_name] = str(value.pk)
    return entry.build(ctx, data)


ATTACKS = [(name, f) for name, entry in COVERED.items() for f in entry.attacks]


@pytest.mark.parametrize(("form_name", "field_name"), ATTACKS)
def test_an_out_of_scope_object_is_an_invalid_choice(ctx, form_name, field_name):
    entry = COVERED[form_name]
    target = entry.attacks[field_name](ctx)
    form = _bound(form_name, ctx, field_name, target)
    if field_name not in form.fields:
        # The form leaves the field out for this user (e.g. a secretary books for their own
        # organization): the posted value is ignored.
        form.is_valid()
        assert field_name not in form.cleaned_data
        return
    assert not form.is_valid()
    codes = [e.code for e in form.errors.as_data().get(field_name, [])]
    assert codes and set(codes) <= {"invalid_choice", "invalid_pk_value", "invalid_list"}, (
        form_name,
        field_name,
        form.errors.get(field_name),
    )


@pytest.mark.parametrize("form_name", [name for name, entry in COVERED.items() if entry.staff_only])
def test_staff_only_forms_are_not_for_a_secretary(ctx, form_name):
    assert not ctx.attacker.has_perm(COVERED[form_name].staff_only)


# --- Through the pages: refused, and nothing written ---------------------------------------


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and model._meta.label != "core.AccessLog"
        and not model._meta.proxy
    }


def _activity_data(ctx, **changes):
    data = {
        "type": "theme_day",
        "brand": "",
        "title": "越权的活动",
        "organization": ctx.org_tree.branch_b.pk,
        "start": "2025-05-01T09:00",
        "end": "2025-05-01T11:00",
        "place_text": "",
        "status": "planned",
        "outside_participants": 0,
        "agenda": "",
        "discussion": "",
        "decisions": "",
    }
    data.update(changes)
    return data


def _training_data(ctx, **changes):
    data = {
        "title": "越权的培训",
        "kind": "central",
        "organization": ctx.org_tree.branch_b.pk,
        "date": "2025-05-01",
        "hours": "2",
        "trainers": "讲师",
        "trainees": [ctx.member_b.pk],
    }
    data.update(changes)
    return data


@pytest.fixture
def activity_a(ctx):
    return activity_services.activity_create(
        type="theme_day",
        organization=ctx.org_tree.branch_a,
        title="甲支部的活动",
        start=at(2025, 5, 6),
        end=at(2025, 5, 6, 11),
        acting_user=ctx.staff,
    )


POSTS = {
    "activity organization": lambda ctx: (
        reverse("activities:create"),
        _activity_data(ctx, organization=ctx.org_tree.branch_a.pk),
    ),
    "activity room": lambda ctx: (
        reverse("activities:create"),
        _activity_data(ctx, room=ctx.closed_room.pk, expected_attendees=5),
    ),
    "another organization's activity": lambda ctx: (
        reverse("activities:update", args=[ctx.activity_a.pk]),
        _activity_data(ctx),
    ),
    "another organization's attendance": lambda ctx: (
        reverse("activities:attendance", args=[ctx.activity_a.pk]),
        {f"status_{ctx.member_a.pk}": "absent"},
    ),
    "training organization": lambda ctx: (
        reverse("activities:training_create"),
        _training_data(ctx, organization=ctx.org_tree.branch_a.pk),
    ),
    "training trainees": lambda ctx: (
        reverse("activities:training_create"),
        _training_data(ctx, trainees=[ctx.member_a.pk]),
    ),
    "contest entry": lambda ctx: (
        reverse("activities:contest", args=[ctx.contest.pk]),
        {"member": ctx.member_a.pk, "title": "越权"},
    ),
    "lecture team members": lambda ctx: (
        reverse("activities:lectures"),
        {
            "name": "越权宣讲团",
            "target_lecturers": 1,
            "target_lectures": 1,
            "members": [ctx.member_a.pk],
        },
    ),
}


@pytest.mark.parametrize("case", sorted(POSTS))
def test_posting_an_out_of_scope_reference_is_refused_and_writes_nothing(
    client, ctx, activity_a, case
):
    ctx.activity_a = activity_a
    url, data = POSTS[case](ctx)
    client.force_login(ctx.attacker)
    before = _row_counts()
    response = client.post(url, data)
    assert response.status_code in (200, 403, 404), response.status_code
    if response.status_code == 200:
        form = response.context.get("form")
        assert (form is not None and form.errors) or response.context.get("error")
    assert _row_counts() == before


def test_the_same_posts_succeed_in_scope(client, ctx):
    """The data of the posts above is otherwise valid: with in-scope values it saves (so the
    refusals above are the reference fields', not a missing field's)."""
    client.force_login(ctx.attacker)
    response = client.post(reverse("activities:create"), _activity_data(ctx))
    assert response.status_code == 302
    response = client.post(reverse("activities:training_create"), _training_data(ctx))
    assert response.status_code == 302


def test_co_host_of_another_organization_is_only_a_request(client, ctx):
    """The known hole: naming another organization as co-host listed its members on the
    attendance page and let them be marked (lowering its participation rate)."""
    client.force_login(ctx.attacker)
    data = _activity_data(ctx, co_hosts=[ctx.org_tree.branch_a.pk], status="held")
    data["start"], data["end"] = "2025-05-01T09:00", "2025-05-01T11:00"
    client.post(reverse("activities:create"), data)
    from activities.models import Activity, Attendance

    activity = Activity.objects.get(title="越权的活动")
    page = client.get(reverse("activities:attendance", args=[activity.pk])).content.decode()
    assert ctx.member_a.name not in page
    assert ctx.member_a not in activity_selectors.attendance_candidates(activity, ctx.attacker)
    client.post(
        reverse("activities:attendance", args=[activity.pk]),
        {f"status_{ctx.member_a.pk}": "absent", f"status_{ctx.member_b.pk}": "present"},
    )
    assert not Attendance.objects.filter(member=ctx.member_a).exists()
    rate = activity_selectors.participation_rate(
        organization=ctx.org_tree.branch_a,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    assert rate.absent == 0
