"""Scoped pages and exports list only the people in the reader's scope (issue 18): a liaison's
attendance export listed 741 members outside their community, and so did the volunteer-hours
ledger and the training pages. Branch A lies in the liaison's community, branch B does not."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities import services
from activities.models import TrainingSession
from core.actors import system_actor
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint_held(org_tree, staff_user, members_a, members_b):
    """A joint volunteering activity of branches A and B (staff: accepted at once), with
    attendance and hours of both branches' members."""
    activity = services.activity_create(
        type="volunteering",
        organization=org_tree.branch_a,
        title="联合志愿服务",
        start=at(2025, 5, 6),
        end=at(2025, 5, 6, 11),
        status="held",
        co_hosts=[org_tree.branch_b],
        acting_user=staff_user,
    )
    services.attendance_record(
        activity=activity,
        entries={members_a[0].pk: "present", members_b[0].pk: "present"},
        acting_user=system_actor(),
    )
    services.volunteer_hours_record(
        activity=activity,
        hours={members_a[0].pk: "2", members_b[0].pk: "3"},
        acting_user=staff_user,
    )
    return activity


def _names(response, column):
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return {row[column] for row in rows[2:]}


def test_liaison_attendance_export_lists_only_people_in_scope(
    client, joint_held, liaison_user, members_a, members_b
):
    client.force_login(liaison_user)
    response = client.get(reverse("activities:export_attendance"))
    assert response.status_code == 200
    names = _names(response, 3)
    assert members_a[0].name in names
    assert members_b[0].name not in names


def test_liaison_activity_attendance_sheet_and_page_list_only_people_in_scope(
    client, joint_held, liaison_user, members_a, members_b
):
    client.force_login(liaison_user)
    names = _names(client.get(reverse("activities:attendance_export", args=[joint_held.pk])), 3)
    assert members_a[0].name in names and members_b[0].name not in names
    page = client.get(reverse("activities:detail", args=[joint_held.pk])).content.decode()
    assert members_a[0].name in page and members_b[0].name not in page


def test_staff_attendance_export_lists_everyone(
    client, joint_held, staff_user, members_a, members_b
):
    client.force_login(staff_user)
    names = _names(client.get(reverse("activities:export_attendance")), 3)
    assert {members_a[0].name, members_b[0].name} <= names


def test_lead_secretary_export_lists_the_accepted_co_hosts_members(
    client, joint_held, secretary_user, other_secretary, members_a, members_b
):
    client.force_login(secretary_user)  # branch A leads
    names = _names(client.get(reverse("activities:export_attendance")), 3)
    assert {members_a[0].name, members_b[0].name} <= names
    client.force_login(other_secretary)  # branch B co-hosts: its own members only
    names = _names(client.get(reverse("activities:export_attendance")), 3)
    assert names == {members_b[0].name}


def test_liaison_volunteer_hours_ledger_lists_only_people_in_scope(
    client, joint_held, liaison_user, members_a, members_b
):
    client.force_login(liaison_user)
    page = client.get(reverse("activities:volunteer_hours"), {"year": 2025}).content.decode()
    assert members_a[0].name in page
    assert members_b[0].name not in page


def test_liaison_training_page_lists_only_trainees_in_scope(
    client, org_tree, staff_user, liaison_user, members_a, members_b
):
    session = services.training_create(
        acting_user=staff_user,
        title="联培",
        kind="central",
        organization=org_tree.branch_a,
        date=datetime.date(2025, 5, 6),
        hours=2,
        trainers="讲师",
        trainees=[members_a[0], members_b[0]],
    )
    client.force_login(liaison_user)
    page = client.get(reverse("activities:training_detail", args=[session.pk])).content.decode()
    assert members_a[0].name in page
    assert members_b[0].name not in page


def test_secretary_cannot_name_trainees_of_another_organization(
    org_tree, secretary_user, members_b
):
    with pytest.raises(services.ActivityError):
        services.training_create(
            acting_user=secretary_user,
            title="联培",
            kind="central",
            organization=org_tree.branch_a,
            date=datetime.date(2025, 5, 6),
            hours=2,
            trainers="讲师",
            trainees=[members_b[0]],
        )
    assert not TrainingSession.objects.exists()


def test_the_activity_page_lists_hours_recorded_without_attendance(
    client, joint_held, staff_user, liaison_user, members_a, members_b
):
    """Hours need no attendance record (they are checked against the candidates): the page
    listed only the hours of people with one, so lines like these vanished for everyone."""
    services.volunteer_hours_record(
        activity=joint_held,
        hours={members_a[1].pk: "1.5", members_b[1].pk: "4"},
        acting_user=staff_user,
    )
    client.force_login(staff_user)
    hours = client.get(joint_held.get_absolute_url()).context["hours"]
    assert {line.member for line in hours} == {
        members_a[0],
        members_b[0],
        members_a[1],
        members_b[1],
    }
    client.force_login(liaison_user)  # only the people of branch A's community
    hours = client.get(joint_held.get_absolute_url()).context["hours"]
    assert {line.member for line in hours} == {members_a[0], members_a[1]}
