"""Change history (修改记录) of an activity: written with the acting user through the edit page,
shown to staff and the hosts' secretaries, hidden from readers, 404 for another organization."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities import services
from activities.models import Activity, Attendance
from core.actors import system_actor
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(org_tree):
    when = at(2025, 5, 1)
    return services.activity_create(
        type="culture",
        organization=org_tree.branch_a,
        title="书画展",
        start=when,
        end=when + datetime.timedelta(hours=2),
        status="held",
        acting_user=system_actor(),
    )


def _edit(client, activity, title):
    return client.post(
        f"/activities/{activity.pk}/edit/",
        {
            "type": "culture",
            "brand": "",
            "title": title,
            "start": "2025-05-01T09:00",
            "end": "2025-05-01T11:00",
            "place_text": "",
            "outside_participants": 3,
        },
    )


def test_edit_through_the_page_records_the_acting_user(client, activity, secretary_user):
    client.force_login(secretary_user)
    response = _edit(client, activity, "老干部书画展")
    assert response.status_code == 302, response.content.decode()[-2000:]
    latest = activity.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == secretary_user
    assert latest.title == "老干部书画展"

    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "修改记录" in page
    assert "书画展 → 老干部书画展" in page
    assert "0 → 3" in page  # outside participants
    assert str(secretary_user) in page


@pytest.mark.parametrize(
    "role,status,sees_history",
    [
        ("staff_user", 200, True),
        ("secretary_user", 200, True),
        ("viewer_user", 200, False),
        ("supervisor_user", 200, False),
        ("other_secretary", 404, False),
    ],
)
def test_who_sees_the_history(request, client, activity, role, status, sees_history):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/activities/{activity.pk}/")
    assert response.status_code == status
    assert ("修改记录" in response.content.decode()) is sees_history


def test_cancelled_activity_keeps_its_history_visible_to_the_host(client, org_tree, secretary_user):
    when = at(2030, 5, 1)
    planned = services.activity_create(
        type="culture",
        organization=org_tree.branch_a,
        title="书画展",
        start=when,
        end=when + datetime.timedelta(hours=2),
        status="planned",
        acting_user=system_actor(),
    )
    client.force_login(secretary_user)
    client.post(f"/activities/{planned.pk}/cancel/")
    planned.refresh_from_db()
    assert planned.status == "cancelled"
    assert not secretary_user.has_perm("activities.change_activity", planned)
    page = client.get(f"/activities/{planned.pk}/").content.decode()
    assert "修改记录" in page
    assert "计划中 → 已取消" in page or "→ 已取消" in page


def test_history_section_runs_bounded_queries(client, activity, staff_user):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/activities/{activity.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def change(times):
        for _ in range(times):
            fresh = Activity.objects.get(pk=activity.pk)
            services.activity_update(
                activity=fresh,
                acting_user=staff_user,
                title=f"书画展{fresh.history.count()}",
            )

    client.force_login(staff_user)
    change(2)
    few = count()
    change(30)
    assert count() == few
    assert "书画展31 → 书画展32" in client.get(f"/activities/{activity.pk}/").content.decode()


def test_marking_held_and_attendance_name_their_actions(
    client, org_tree, members_a, secretary_user
):
    """Each history row names the service action that wrote it (history_change_reason)."""
    when = at(2025, 6, 1)
    meeting = services.activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="支委会",
        start=when,
        end=when + datetime.timedelta(hours=2),
        acting_user=secretary_user,
    )
    assert meeting.history.get().history_change_reason == "activities.activity.create"

    client.force_login(secretary_user)
    assert client.post(f"/activities/{meeting.pk}/held/").status_code == 302
    latest = meeting.history.order_by("-history_date", "-history_id").first()
    assert latest.status == "held"
    assert latest.history_change_reason == "activities.activity.mark_held"
    assert latest.history_user == secretary_user

    data = {f"status_{m.pk}": "present" for m in members_a}
    assert client.post(f"/activities/{meeting.pk}/attendance/", data).status_code == 302
    rows = Attendance.history.filter(activity_id=meeting.pk)
    assert rows.count() == len(members_a)
    assert {r.history_change_reason for r in rows} == {"activities.attendance.record"}
    assert {r.history_type for r in rows} == {"+"}
    assert {r.history_user_id for r in rows} == {secretary_user.pk}

    # Marking again changes the rows in place: their history continues, named the same way.
    services.attendance_record(
        activity=meeting, entries={members_a[0].pk: "absent"}, acting_user=secretary_user
    )
    changed = Attendance.history.filter(activity_id=meeting.pk, member_id=members_a[0].pk)
    assert [(r.history_type, r.status) for r in changed.order_by("history_id")] == [
        ("+", "present"),
        ("~", "absent"),
    ]
    assert {r.history_change_reason for r in changed} == {"activities.attendance.record"}
    assert Attendance.objects.filter(activity=meeting).count() == len(members_a)


def test_cancel_and_update_name_their_actions(org_tree, staff_user):
    when = at(2030, 6, 1)
    planned = services.activity_create(
        type="culture",
        organization=org_tree.branch_a,
        co_hosts=[org_tree.branch_b],
        title="书画展",
        start=when,
        end=when + datetime.timedelta(hours=2),
        acting_user=staff_user,
    )
    services.activity_update(activity=planned, acting_user=staff_user, title="老干部书画展")
    services.activity_cancel(activity=planned, acting_user=system_actor())
    reasons = list(
        planned.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons == [
        "activities.activity.create",
        "activities.activity.create",  # the hosts made it joint, in the same action
        "activities.activity.update",
        "activities.activity.cancel",
    ]
