"""Issue 18, audit: history on every model that matters, bulk writes that leave history with
the acting user and the action, and the author's name kept on every record."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import update_last_login

from activities import services as activity_services
from activities.models import Attendance, VolunteerHours
from core.history import change_history
from core.models import User
from tests.activities.conftest import at, make_member

pytestmark = pytest.mark.django_db

MODELS_THAT_MATTER = [
    "core.user",
    "members.member",
    "members.transfer",
    "members.participation",
    "members.commendation",
    "members.organizationcommendation",
    "branches.committeeposition",
    "branches.organization",
    "activities.attachment",
    "activities.volunteerhours",
    "activities.trainingsession",
    "activities.attendance",
    "assessment.inspection",
    "assessment.rectification",
    "assessment.rubric",
    "assessment.section",
    "assessment.item",
    "assessment.deductionrule",
    "assessment.gradeband",
    "assessment.gradethresholds",
]


@pytest.mark.parametrize("label", MODELS_THAT_MATTER)
def test_the_model_has_history_that_keeps_the_authors_name(label):
    model = apps.get_model(label)
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    assert manager, f"{label} has no history"
    history_model = getattr(model, manager).model
    assert "history_user_name" in {f.name for f in history_model._meta.fields}


def test_every_historical_model_keeps_the_authors_name():
    for model in apps.get_models():
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager:
            fields = {f.name for f in getattr(model, manager).model._meta.fields}
            assert "history_user_name" in fields, model._meta.label


def test_a_users_role_and_organization_changes_are_in_their_history(org_tree, make_user):
    user = make_user("zhang", role="viewer", full_name="张主任")
    user.role = "secretary"
    user.organization = org_tree.branch_a
    user.save()
    records = list(user.history.order_by("history_id"))
    assert [r.role for r in records] == ["viewer", "secretary"]
    assert records[-1].organization_id == org_tree.branch_a.pk
    assert "password" not in {f.name for f in user.history.model._meta.fields}


def test_signing_in_writes_no_user_history(make_user):
    user = make_user("li", role="viewer")
    before = user.history.count()
    update_last_login(None, user)  # what Django does on every sign-in (user_logged_in)
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before


@pytest.fixture
def meeting(org_tree, secretary_user):
    when = at(2025, 6, 1)
    return activity_services.activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="支委会",
        start=when,
        end=when + datetime.timedelta(hours=2),
        status="held",
        acting_user=secretary_user,
    )


def test_attendance_saved_in_bulk_names_the_acting_user_outside_a_request(
    org_tree, staff_user, secretary_user, meeting
):
    """No request, so no middleware: the user comes from the service's acting_user."""
    members = [
        make_member(org_tree.branch_a, name, acting_user=staff_user)
        for name in ("王建国", "李秀英")
    ]
    activity_services.attendance_record(
        activity=meeting, entries={m.pk: "present" for m in members}, acting_user=secretary_user
    )
    activity_services.attendance_record(
        activity=meeting, entries={members[0].pk: "absent"}, acting_user=secretary_user
    )
    rows = Attendance.history.filter(activity_id=meeting.pk).order_by("history_id")
    assert [(r.history_type, r.status) for r in rows] == [
        ("+", "present"),
        ("+", "present"),
        ("~", "absent"),
    ]
    assert {r.history_user_id for r in rows} == {secretary_user.pk}
    assert {r.history_user_name for r in rows} == {str(secretary_user)}
    assert {r.history_change_reason for r in rows} == {"activities.attendance.record"}


def test_volunteer_hours_recorded_in_bulk_leave_history(org_tree, staff_user, secretary_user):
    member = make_member(org_tree.branch_a, "王建国", acting_user=staff_user)
    when = at(2025, 6, 2)
    activity = activity_services.activity_create(
        type="volunteering",
        organization=org_tree.branch_a,
        title="义诊",
        start=when,
        end=when + datetime.timedelta(hours=2),
        status="held",
        acting_user=secretary_user,
    )
    activity_services.volunteer_hours_record(
        activity=activity, hours={member.pk: "2.5"}, acting_user=secretary_user
    )
    record = VolunteerHours.history.get(member_id=member.pk)
    assert record.history_type == "+"
    assert record.hours == Decimal("2.5")
    assert record.history_user_id == secretary_user.pk
    assert record.history_user_name == str(secretary_user)
    assert record.history_change_reason == "activities.volunteer_hours.record"


def test_a_removed_authors_name_stays_on_their_records(org_tree, make_user, staff_user, meeting):
    author = make_user(
        "temp", role="secretary", organization=org_tree.branch_a, full_name="临时书记"
    )
    member = make_member(org_tree.branch_a, "王建国", acting_user=staff_user)
    activity_services.attendance_record(
        activity=meeting, entries={member.pk: "present"}, acting_user=author
    )
    attendance = Attendance.objects.get(activity=meeting, member=member)
    # Accounts are deactivated, not deleted (the admin refuses); should one go anyway (a
    # database surgery), the records still say who.
    User.objects.filter(pk=author.pk).delete()
    record = attendance.history.get()
    assert record.history_user_id is None
    assert record.history_user_name == "临时书记"
    assert [entry.user for entry in change_history(attendance)] == ["临时书记"]
