"""core.paginators.CountCachedPaginator: the long lists' totals come from the cache until a
committed write to a row they count; each filter and each reader's scope has its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Member, Skill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counts_cached(settings):
    settings.LIST_COUNTS_CACHED = True


def roster_total(client, query: str = "") -> tuple[int, bool]:
    """The roster's total and whether this request counted the members table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/members/{query}")
    assert response.status_code == 200
    counted = any(
        "COUNT(" in q["sql"] and "members_member" in q["sql"] for q in queries.captured_queries
    )
    return response.context["page_obj"].paginator.count, counted


def test_the_roster_total_is_counted_once_until_a_member_is_added(
    client, staff_user, org_tree, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            make_member(org_tree.branch_a, name=f"张{n}")
    client.force_login(staff_user)
    assert roster_total(client) == (3, True)
    assert roster_total(client) == (3, False)  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        make_member(org_tree.branch_b, name="李四")
    assert roster_total(client) == (4, True)
    with django_capture_on_commit_callbacks(execute=True):
        Member.objects.get(name="李四").delete()
    assert roster_total(client) == (3, True)


def test_each_filter_and_each_scope_has_its_own_total(
    client, staff_user, secretary_user, org_tree, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_member(org_tree.branch_a, name="张三")
        make_member(org_tree.branch_b, name="李四")
        make_member(org_tree.branch_b, name="王五")
    client.force_login(staff_user)
    assert roster_total(client)[0] == 3
    assert roster_total(client, f"?organization={org_tree.branch_b.pk}")[0] == 2
    client.force_login(secretary_user)  # branch_a's secretary: another scope, another total
    assert roster_total(client)[0] == 1


def test_a_skill_added_or_removed_makes_the_skill_filter_recount(
    client, staff_user, org_tree, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = make_member(org_tree.branch_a, name="张三")
        make_member(org_tree.branch_a, name="李四", skills=["法律"])
    client.force_login(staff_user)
    assert roster_total(client, "?skill=法律")[0] == 1
    with django_capture_on_commit_callbacks(execute=True):
        member.skills.add(Skill.objects.get(name="法律"))
    assert roster_total(client, "?skill=法律") == (2, True)
    with django_capture_on_commit_callbacks(execute=True):
        member.skills.clear()
    assert roster_total(client, "?skill=法律") == (1, True)


def _total(client, url: str, table: str) -> tuple[int, bool]:
    """A list's total and whether this request counted `table`."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    counted = any(
        "COUNT(" in q["sql"] and f'FROM "{table}"' in q["sql"] for q in queries.captured_queries
    )
    return response.context["page_obj"].paginator.count, counted


def test_the_activity_list_and_compliance_board_totals_recount_after_a_write(
    client, staff_user, org_tree, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from activities.services import activity_create
    from tests.factories import make_org

    client.force_login(staff_user)
    activities, counted = _total(client, "/activities/", "activities_activity")
    assert counted
    assert _total(client, "/activities/", "activities_activity") == (activities, False)
    start = timezone.make_aware(datetime.datetime(2026, 3, 1, 9))
    with django_capture_on_commit_callbacks(execute=True):
        activity_create(
            type="committee_meeting",
            organization=org_tree.branch_a,
            title="支委会",
            start=start,
            end=start + datetime.timedelta(hours=1),
            acting_user=staff_user,
        )
    assert _total(client, "/activities/", "activities_activity") == (activities + 1, True)

    board, counted = _total(client, "/activities/compliance/", "branches_organization")
    assert counted
    assert _total(client, "/activities/compliance/", "branches_organization") == (board, False)
    with django_capture_on_commit_callbacks(execute=True):
        make_org(name="新建支部", kind="branch", category="established", parent=org_tree.committee)
    assert _total(client, "/activities/compliance/", "branches_organization") == (board + 1, True)
