"""Co-hosting is a request (issue 18): the asked organization's secretary (or staff) accepts
or declines; until it accepts, its members are not listed, cannot be marked and its figures
do not count the activity."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from activities import selectors, services
from activities.models import ActivityHost, Attendance, HostState
from activities.services import ActivityError
from core.models import Notification
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(org_tree, secretary_user, other_secretary, members_a, members_b):
    """Branch A's secretary names branch B as co-host of a held theme day."""
    return services.activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="联办主题党日",
        start=at(2025, 5, 6),
        end=at(2025, 5, 6, 11),
        status="held",
        co_hosts=[org_tree.branch_b],
        acting_user=secretary_user,
    )


def _link(activity, organization):
    return ActivityHost.objects.get(activity=activity, organization=organization)


def test_a_secretary_naming_another_organization_makes_a_request(
    joint, org_tree, secretary_user, other_secretary
):
    link = _link(joint, org_tree.branch_b)
    assert link.state == HostState.REQUESTED
    assert link.requested_by == secretary_user
    assert not joint.is_joint  # one accepted host only
    notice = Notification.objects.get(user=other_secretary)
    assert notice.url == reverse("activities:cohost_requests")
    assert "联办" in notice.title or "co-host" in notice.title


def test_staff_naming_co_hosts_are_accepted_at_once(org_tree, staff_user):
    activity = services.activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="局组织的联办",
        start=at(2025, 5, 6),
        end=at(2025, 5, 6, 11),
        co_hosts=[org_tree.branch_b],
        acting_user=staff_user,
    )
    assert _link(activity, org_tree.branch_b).state == HostState.ACCEPTED
    assert activity.is_joint


def test_a_secretary_naming_their_own_sub_organization_needs_no_consent(org_tree, secretary_user):
    activity = services.activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="支部和小组",
        start=at(2025, 5, 6),
        end=at(2025, 5, 6, 11),
        co_hosts=[org_tree.group_a1],
        acting_user=secretary_user,
    )
    assert _link(activity, org_tree.group_a1).state == HostState.ACCEPTED


def test_pending_co_host_members_are_not_listed_and_cannot_be_marked(
    client, joint, secretary_user, members_a, members_b
):
    candidates = set(selectors.attendance_candidates(joint, secretary_user))
    assert candidates == set(members_a)
    client.force_login(secretary_user)
    page = client.get(reverse("activities:attendance", args=[joint.pk])).content.decode()
    assert members_a[0].name in page
    assert members_b[0].name not in page
    with pytest.raises(ActivityError) as refused:
        services.attendance_record(
            activity=joint, entries={members_b[0].pk: "absent"}, acting_user=secretary_user
        )
    assert "尚未接受联办" in refused.value.message
    assert not Attendance.objects.filter(member__in=members_b).exists()


def test_pending_co_host_leaves_the_participation_rate_alone(
    joint, org_tree, secretary_user, members_b
):
    before = selectors.participation_rate(
        organization=org_tree.branch_b,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    with pytest.raises(ActivityError):
        services.attendance_record(
            activity=joint, entries={m.pk: "absent" for m in members_b}, acting_user=secretary_user
        )
    after = selectors.participation_rate(
        organization=org_tree.branch_b,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    assert after == before
    assert selectors.meetings_held(org_tree.branch_b, 2025, "theme_day") == 0
    assert selectors.joint_activity_count(year=2025, organization=org_tree.branch_b) == 0


def test_pending_co_host_does_not_count_in_compliance(joint, org_tree, frequencies):
    rows = selectors.compliance(organization=org_tree.branch_b, year=2025, period="M05")
    assert [row.held for row in rows if row.activity_type == "theme_day"] == [0]
    rows = selectors.compliance(organization=org_tree.branch_a, year=2025, period="M05")
    assert [row.held for row in rows if row.activity_type == "theme_day"] == [1]


def test_the_asked_secretary_accepts_on_the_requests_page(
    client, joint, org_tree, secretary_user, other_secretary, members_b, frequencies
):
    link = _link(joint, org_tree.branch_b)
    client.force_login(other_secretary)
    page = client.get(reverse("activities:cohost_requests")).content.decode()
    assert "联办主题党日" in page
    # the activity page of the asked organization links to the requests and answers there
    detail = client.get(reverse("activities:detail", args=[joint.pk])).content.decode()
    assert reverse("activities:cohost_requests") in detail
    response = client.post(reverse("activities:cohost_answer", args=[link.pk, "accept"]))
    assert response.status_code == 302
    link.refresh_from_db()
    joint.refresh_from_db()
    assert link.state == HostState.ACCEPTED and link.decided_by == other_secretary
    assert joint.is_joint
    # the lead's secretary is told
    assert Notification.objects.filter(user=secretary_user, url=joint.get_absolute_url()).exists()
    # now its members are listed and can be marked, and the activity counts for branch B
    assert set(members_b) <= set(selectors.attendance_candidates(joint, secretary_user))
    services.attendance_record(
        activity=joint, entries={members_b[0].pk: "present"}, acting_user=secretary_user
    )
    assert selectors.meetings_held(org_tree.branch_b, 2025, "theme_day") == 1
    rows = selectors.compliance(organization=org_tree.branch_b, year=2025, period="M05")
    assert [row.held for row in rows if row.activity_type == "theme_day"] == [1]


def test_decline_keeps_the_activity_the_leads_alone(client, joint, org_tree, other_secretary):
    link = _link(joint, org_tree.branch_b)
    client.force_login(other_secretary)
    client.post(reverse("activities:cohost_answer", args=[link.pk, "decline"]))
    link.refresh_from_db()
    assert link.state == HostState.DECLINED
    with pytest.raises(ActivityError):
        services.cohost_accept(link=link, acting_user=other_secretary)  # answered already


def test_the_requesting_secretary_cannot_answer_their_own_request(
    client, joint, org_tree, secretary_user
):
    link = _link(joint, org_tree.branch_b)
    client.force_login(secretary_user)
    # not a request to their organization: a 404, nothing changes
    response = client.post(reverse("activities:cohost_answer", args=[link.pk, "accept"]))
    assert response.status_code == 404
    assert (
        client.get(reverse("activities:cohost_requests")).content.decode().count("联办主题党日")
        == 0
    )
    with pytest.raises(ActivityError):
        services.cohost_accept(link=link, acting_user=secretary_user)
    link.refresh_from_db()
    assert link.state == HostState.REQUESTED


def test_a_pending_co_host_secretary_cannot_mark_or_edit(client, joint, other_secretary, members_b):
    client.force_login(other_secretary)
    assert client.get(reverse("activities:attendance", args=[joint.pk])).status_code == 403
    with pytest.raises(ActivityError):
        services.attendance_record(
            activity=joint, entries={members_b[0].pk: "present"}, acting_user=other_secretary
        )


def test_an_accepted_co_host_secretary_marks_only_their_own(
    joint, org_tree, other_secretary, members_a, members_b
):
    services.cohost_accept(link=_link(joint, org_tree.branch_b), acting_user=other_secretary)
    assert set(selectors.attendance_candidates(joint, other_secretary)) == set(members_b)
    with pytest.raises(ActivityError) as refused:
        services.attendance_record(
            activity=joint, entries={members_a[0].pk: "absent"}, acting_user=other_secretary
        )
    assert "只能为本组织的党员登记出勤" in refused.value.message


def test_editing_keeps_answers_and_refuses_to_drop_a_co_host_with_attendance(
    joint, org_tree, secretary_user, other_secretary, members_b
):
    link = _link(joint, org_tree.branch_b)
    services.cohost_accept(link=link, acting_user=other_secretary)
    services.activity_update(
        activity=joint, acting_user=secretary_user, co_hosts=[org_tree.branch_b], title="改名"
    )
    assert _link(joint, org_tree.branch_b).pk == link.pk
    assert _link(joint, org_tree.branch_b).state == HostState.ACCEPTED
    services.attendance_record(
        activity=joint, entries={members_b[0].pk: "absent"}, acting_user=secretary_user
    )
    with pytest.raises(ActivityError):
        services.activity_update(activity=joint, acting_user=secretary_user, co_hosts=[])
    assert _link(joint, org_tree.branch_b).state == HostState.ACCEPTED


def test_requests_page_lists_only_my_organizations_requests(
    client, joint, org_tree, make_user, other_secretary
):
    outsider = make_user("secretary_c", role="secretary", organization=org_tree.group_a1)
    client.force_login(outsider)
    assert "联办主题党日" not in client.get(reverse("activities:cohost_requests")).content.decode()
    link = _link(joint, org_tree.branch_b)
    assert (
        client.post(reverse("activities:cohost_answer", args=[link.pk, "accept"])).status_code
        == 404
    )


def test_requests_page_has_no_n_plus_one(
    client, org_tree, secretary_user, other_secretary, django_assert_max_num_queries
):
    def make(n):
        for i in range(n):
            services.activity_create(
                type="theme_day",
                organization=org_tree.branch_a,
                title=f"联办{i}",
                start=at(2025, 5, 6),
                end=at(2025, 5, 6, 11),
                co_hosts=[org_tree.branch_b],
                acting_user=secretary_user,
            )

    client.force_login(other_secretary)
    make(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("activities:cohost_requests"))
    make(10)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("activities:cohost_requests"))
    assert len(more) == len(few)


def test_unanswered_requests_are_reminded_weekly(joint, org_tree, other_secretary):
    from activities.reminders import COHOSTS_PENDING, cohost_requests_pending

    link = _link(joint, org_tree.branch_b)
    asked_on = link.requested_at.date()
    assert cohost_requests_pending(asked_on + datetime.timedelta(days=1)) == []
    later = asked_on + datetime.timedelta(days=4)
    [reminder] = cohost_requests_pending(later)
    assert reminder.kind == COHOSTS_PENDING
    assert reminder.recipients == [other_secretary]
    assert reminder.url == reverse("activities:cohost_requests")
    assert "联办主题党日" in reminder.body
    services.cohost_decline(link=link, acting_user=other_secretary)
    assert cohost_requests_pending(later) == []
