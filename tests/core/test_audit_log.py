"""Issue 18, audit: append-only logs (admin and, on PostgreSQL, a trigger), the access log of
personal data seen, and the bureau's audit page (who, what, when; staff only; bounded
queries)."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services as activity_services
from core.audit import AuditFilter, access_log_record, audit_entries
from core.models import AccessLog, ExportLog
from core.services import export_log_record
from tests.activities.conftest import at, make_member

pytestmark = pytest.mark.django_db

AUDIT_URL = "/audit/"


@pytest.fixture
def superuser(make_user):
    return make_user("root", role="staff", is_superuser=True, is_staff=True)


# --- The admin: users are deactivated, logs are read-only ----------------------------------


def test_the_admin_refuses_deleting_a_user_and_offers_deactivation(client, superuser, make_user):
    victim = make_user("leaving", role="viewer")
    client.force_login(superuser)
    assert client.get(f"/admin/core/user/{victim.pk}/delete/").status_code == 403
    assert client.post(f"/admin/core/user/{victim.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/core/user/",
        {"action": "delete_selected", "_selected_action": [victim.pk], "post": "yes"},
    )
    victim.refresh_from_db()  # still there
    response = client.post(
        "/admin/core/user/", {"action": "deactivate_users", "_selected_action": [victim.pk]}
    )
    assert response.status_code == 302
    victim.refresh_from_db()
    assert not victim.is_active
    latest = victim.history.order_by("-history_id").first()
    assert latest.is_active is False
    assert latest.history_change_reason == "core.user.deactivate"
    assert latest.history_user_name == str(superuser)


@pytest.mark.parametrize("model", ["exportlog", "accesslog"])
def test_the_logs_cannot_be_changed_or_deleted_in_the_admin(client, superuser, model):
    if model == "exportlog":
        entry = export_log_record(user=superuser, export="members", rows=3)
    else:
        entry = access_log_record(user=superuser, what=AccessLog.What.MEMBER_PAGE)
    client.force_login(superuser)
    base = f"/admin/core/{model}/"
    assert client.get(base).status_code == 200  # shown
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"{base}{entry.pk}/change/", {}).status_code == 403
    assert client.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    assert type(entry).objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger is PostgreSQL's (SQLite relies on the admin alone)",
)
@pytest.mark.parametrize(
    "table", ["alliance_exportlog", "core_accesslog"], ids=["export log", "access log"]
)
def test_postgresql_refuses_update_and_delete_on_the_logs(staff_user, table):
    export_log_record(user=staff_user, export="members", rows=3)
    access_log_record(user=staff_user, what=AccessLog.What.MEMBER_PAGE)
    for statement in (f"UPDATE {table} SET user_id = user_id", f"DELETE FROM {table}"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert ExportLog.objects.count() == 1
    assert AccessLog.objects.count() == 1


# --- The access log ---------------------------------------------------------------------


@pytest.fixture
def member(org_tree, staff_user):
    return make_member(org_tree.branch_a, "王建国", acting_user=staff_user)


def test_opening_a_members_page_is_logged_with_one_insert(client, secretary_user, member):
    client.force_login(secretary_user)
    assert client.get(f"/members/{member.pk}/").status_code == 200
    entry = AccessLog.objects.get()
    assert entry.user == secretary_user
    assert entry.what == AccessLog.What.MEMBER_PAGE
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "members.member",
        member.pk,
        "王建国",
    )
    assert entry.ip == "127.0.0.1"
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/members/{member.pk}/")
    inserts = [q for q in ctx.captured_queries if 'INSERT INTO "core_accesslog"' in q["sql"]]
    assert len(inserts) == 1
    assert AccessLog.objects.count() == 2


def test_another_organizations_member_page_is_a_404_and_not_logged(client, other_secretary, member):
    client.force_login(other_secretary)
    assert client.get(f"/members/{member.pk}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_exports_are_logged_masked_or_not_and_unmasked_ones_in_the_access_log(
    client, staff_user, member
):
    client.force_login(staff_user)
    assert client.get("/members/export.xlsx").status_code == 200
    masked = ExportLog.objects.get()
    assert (masked.export, masked.unmasked, masked.user) == ("members", False, staff_user)
    assert not AccessLog.objects.exists()

    assert client.get("/members/export.xlsx?unmasked=1").status_code == 200
    assert ExportLog.objects.filter(unmasked=True).count() == 1
    seen = AccessLog.objects.get()
    assert seen.what == AccessLog.What.UNMASKED_EXPORT
    assert seen.detail.startswith("members?") and "unmasked=1" in seen.detail
    assert seen.user == staff_user


# --- The audit page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        ("staff_user", 200),
        ("secretary_user", 403),
        ("other_secretary", 403),
        ("supervisor_user", 403),
        ("liaison_user", 403),
        ("viewer_user", 403),
    ],
)
def test_who_may_open_the_audit_page(request, client, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(AUDIT_URL).status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(AUDIT_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_audit_page_is_linked_from_the_staff_navigation_only(
    client, staff_user, secretary_user
):
    client.force_login(staff_user)
    assert 'href="/audit/"' in client.get("/").content.decode()
    client.force_login(secretary_user)
    assert 'href="/audit/"' not in client.get("/").content.decode()


def test_the_audit_log_merges_history_exports_and_access(
    client, org_tree, staff_user, secretary_user, make_user
):
    writer = make_user("writer", role="staff", full_name="档案员")
    member = make_member(org_tree.branch_a, "李秀英", acting_user=staff_user)
    when = at(2025, 6, 1)
    meeting = activity_services.activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="支委会",
        start=when,
        end=when + datetime.timedelta(hours=2),
        status="held",
        acting_user=staff_user,
    )
    for status in ("present", "absent"):
        activity_services.attendance_record(
            activity=meeting, entries={member.pk: status}, acting_user=writer
        )
    export_log_record(user=secretary_user, export="activities.attendance", rows=2)
    access_log_record(user=secretary_user, what=AccessLog.What.MEMBER_PAGE, obj=member)

    client.force_login(staff_user)
    page = client.get(AUDIT_URL).content.decode()
    assert "档案员" in page and "李秀英" in page and "activities.attendance" in page

    def rows(**params):
        return list(audit_entries(AuditFilter(**params)))

    by_writer = rows(actor="档案员")
    assert {r["a_source"] for r in by_writer} == {"activities.attendance"}
    assert sorted(r["a_kind"] for r in by_writer) == ["+", "~"]
    assert {r["a_object_name"] for r in by_writer} == {"李秀英"}
    assert {r["a_detail"] for r in by_writer} == {"activities.attendance.record"}
    by_secretary = rows(actor=secretary_user.username)
    assert {r["a_source"] for r in by_secretary} == {"core.exportlog", "core.accesslog"}
    about_member = rows(object_type="members.member", object=str(member.pk))
    assert {r["a_source"] for r in about_member} == {"members.member", "core.accesslog"}
    assert len(rows(object_type="activities.attendance", object="李秀")) == 2
    assert rows(object_type="activities.attendance", object="没有这个人") == []
    today = timezone.localdate()
    assert len(rows(date_from=today, date_to=today)) == len(rows())
    assert rows(date_to=today - datetime.timedelta(days=1)) == []

    response = client.get(AUDIT_URL, {"actor": "档案员", "object_type": "activities.attendance"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 2


def test_the_audit_page_answers_bad_dates_with_a_message(client, staff_user):
    client.force_login(staff_user)
    for params in (
        {"date_from": "2026-02-30"},
        {"date_from": "2026-03-01", "date_to": "2026-02-01"},
        {"object_type": "no.such"},
        {"page": "9999"},
        {"page": "x"},
    ):
        response = client.get(AUDIT_URL, params)
        assert response.status_code == 200, params


def test_the_audit_page_runs_bounded_queries(client, org_tree, staff_user, secretary_user):
    client.force_login(staff_user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(AUDIT_URL)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.context["page_obj"].paginator.count

    def write(times):
        for number in range(times):
            member = make_member(org_tree.branch_a, f"党员{number}", acting_user=secretary_user)
            access_log_record(user=secretary_user, what=AccessLog.What.MEMBER_PAGE, obj=member)
            export_log_record(user=secretary_user, export="members", rows=number)

    write(2)
    few, total_few = count()
    write(25)
    more, total_more = count()
    assert total_more > total_few
    assert more == few


def test_without_a_start_date_the_page_reads_the_last_30_days(
    client, org_tree, staff_user, secretary_user
):
    """Every branch of the union reads a date range through its index, not every row ever."""
    member = make_member(org_tree.branch_a, "赵德胜", acting_user=secretary_user)
    long_ago = timezone.now() - datetime.timedelta(days=40)
    member.history.update(history_date=long_ago)  # as if written 40 days ago
    client.force_login(staff_user)
    query = {"object_type": "members.member", "object": str(member.pk)}
    response = client.get(AUDIT_URL, query)
    assert response.context["default_from"] == timezone.localdate() - datetime.timedelta(days=30)
    assert response.context["page_obj"].paginator.count == 0
    assert "最近 30 天" in response.content.decode()
    since = (long_ago - datetime.timedelta(days=1)).date().isoformat()
    response = client.get(AUDIT_URL, {**query, "date_from": since})
    assert response.context["default_from"] is None
    assert response.context["page_obj"].paginator.count == member.history.count() > 0


@pytest.mark.parametrize(
    "query",
    ["date_to=9999-12-31", "date_from=0001-01-01", "object=²", "object=%C2%B2%C2%B3"],
)
def test_dates_out_of_range_and_odd_digits_get_a_message_not_a_500(client, staff_user, query):
    client.force_login(staff_user)
    response = client.get(f"{AUDIT_URL}?{query}")
    assert response.status_code == 200
    if query.startswith("date"):
        assert "请填写 2000 年至" in response.content.decode()
