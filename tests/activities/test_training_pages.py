"""Co-training pages: a training session's page and edit form; correcting a contest entry.
Who may do what (permission tables), bad input refused in Chinese with nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from activities import services
from activities.models import ContestEntry, TrainingSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(org_tree, members_a, staff_user):
    return services.training_create(
        acting_user=staff_user,
        title="新时代党的创新理论集中培训",
        kind="central",
        organization=org_tree.branch_a,
        date=datetime.date(2026, 5, 12),
        hours=Decimal("3.0"),
        trainers="市委党校 王教授",
        trainees=members_a[:2],
    )


@pytest.fixture
def contest(org_tree, members_a, staff_user):
    contest = services.contest_create(
        acting_user=staff_user, title="2026 微党课评选", year=2026, organization=org_tree.committee
    )
    first = services.contest_entry_add(
        contest=contest, member=members_a[0], title="初心如磐", acting_user=staff_user
    )
    services.contest_entry_add(
        contest=contest, member=members_a[1], title="银发先锋", acting_user=staff_user
    )
    services.judge_score_record(entry=first, judge="评委甲", score="92", acting_user=staff_user)
    return contest


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


READERS = {
    "anonymous": 302,
    "staff_user": 200,
    "secretary_user": 200,
    "viewer_user": 200,
    "supervisor_user": 200,
    "liaison_user": 200,
    "other_secretary": 404,
}
EDITORS = {
    "anonymous": 302,
    "staff_user": 200,
    "secretary_user": 200,
    "viewer_user": 403,
    "supervisor_user": 403,
    "liaison_user": 403,
    "other_secretary": 404,
}
CONTEST_EDITORS = {
    "anonymous": 302,
    "staff_user": 200,
    "secretary_user": 403,
    "other_secretary": 403,
    "viewer_user": 403,
    "supervisor_user": 403,
}


@pytest.mark.parametrize(
    "page,role,expected",
    [("detail", r, s) for r, s in READERS.items()]
    + [("edit", r, s) for r, s in EDITORS.items()]
    + [("entry", r, s) for r, s in CONTEST_EDITORS.items()],
)
def test_permission_table(request, client, session, contest, page, role, expected):
    entry = contest.entries.get(title="初心如磐")
    url = {
        "detail": f"/activities/training/{session.pk}/",
        "edit": f"/activities/training/{session.pk}/edit/",
        "entry": f"/activities/contests/entries/{entry.pk}/edit/",
    }[page]
    user = _user(request, role)
    if user:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]


def test_detail_shows_kind_trainers_trainees_hours(client, session, secretary_user, members_a):
    client.force_login(secretary_user)
    page = client.get(f"/activities/training/{session.pk}/").content.decode()
    assert "集中培训" in page
    assert "市委党校 王教授" in page
    assert "3.0" in page
    assert members_a[0].name in page and members_a[1].name in page
    assert members_a[2].name not in page
    assert "2 名学员" in page
    assert f"/activities/training/{session.pk}/edit/" in page
    # the list links to the page
    assert (
        f"/activities/training/{session.pk}/"
        in client.get("/activities/training/").content.decode()
    )


def test_reader_sees_no_edit_button(client, session, viewer_user):
    client.force_login(viewer_user)
    page = client.get(f"/activities/training/{session.pk}/").content.decode()
    assert "新时代党的创新理论集中培训" in page
    assert f"/activities/training/{session.pk}/edit/" not in page


def _form(session, **changes):
    data = {
        "title": session.title,
        "kind": session.kind,
        "organization": session.organization_id,
        "date": f"{session.date:%Y-%m-%d}",
        "hours": str(session.hours),
        "trainers": session.trainers,
        "trainees": [m.pk for m in session.trainees.all()],
    }
    data.update(changes)
    return data


def test_secretary_edits_kind_trainers_trainees_hours(client, session, secretary_user, members_a):
    client.force_login(secretary_user)
    response = client.post(
        f"/activities/training/{session.pk}/edit/",
        _form(
            session,
            kind="home_delivery",
            trainers="支部书记 李秀英",
            hours="1.5",
            trainees=[members_a[2].pk, members_a[3].pk],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/activities/training/{session.pk}/"
    session.refresh_from_db()
    assert session.kind == "home_delivery"
    assert session.trainers == "支部书记 李秀英"
    assert session.hours == Decimal("1.5")
    assert set(session.trainees.all()) == {members_a[2], members_a[3]}
    page = client.get(f"/activities/training/{session.pk}/").content.decode()
    assert "送学上门" in page


def test_bad_hours_refused_in_chinese_nothing_saved(client, session, secretary_user):
    client.force_login(secretary_user)
    response = client.post(
        f"/activities/training/{session.pk}/edit/",
        _form(session, hours="0", trainers="改了也不该保存"),
    )
    assert response.status_code == 200
    assert "确保该值大于或等于0.5" in response.content.decode()
    session.refresh_from_db()
    assert session.hours == Decimal("3.0")
    assert session.trainers == "市委党校 王教授"


def test_secretary_cannot_move_session_to_another_organization(
    client, org_tree, session, secretary_user
):
    client.force_login(secretary_user)
    response = client.post(
        f"/activities/training/{session.pk}/edit/",
        _form(session, organization=org_tree.branch_b.pk),
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    session.refresh_from_db()
    assert session.organization == org_tree.branch_a


def test_service_refuses_other_organization(org_tree, session, other_secretary):
    with pytest.raises(services.ActivityError):
        services.training_update(session=session, acting_user=other_secretary, hours=Decimal(2))
    assert TrainingSession.objects.get(pk=session.pk).hours == Decimal("3.0")


def test_staff_corrects_contest_entry_and_scores_stay(client, contest, staff_user, members_a):
    entry = contest.entries.get(title="初心如磐")
    client.force_login(staff_user)
    detail = client.get(f"/activities/contests/{contest.pk}/").content.decode()
    assert f"/activities/contests/entries/{entry.pk}/edit/" in detail
    response = client.post(
        f"/activities/contests/entries/{entry.pk}/edit/",
        {"member": members_a[2].pk, "title": "初心如磐（修订稿）"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "初心如磐（修订稿）"
    assert entry.member == members_a[2]
    assert entry.scores.count() == 1
    assert (
        "初心如磐（修订稿）" in client.get(f"/activities/contests/{contest.pk}/").content.decode()
    )


def test_contest_entry_duplicate_lecturer_refused(client, contest, staff_user, members_a):
    entry = contest.entries.get(title="初心如磐")
    client.force_login(staff_user)
    response = client.post(
        f"/activities/contests/entries/{entry.pk}/edit/",
        {"member": members_a[1].pk, "title": "改了也不该保存"},
    )
    assert response.status_code == 200
    assert "该党员已参赛" in response.content.decode()
    entry.refresh_from_db()
    assert entry.title == "初心如磐"
    assert entry.member == members_a[0]


def test_contest_entry_blank_title_refused(client, contest, staff_user):
    entry = contest.entries.get(title="初心如磐")
    client.force_login(staff_user)
    response = client.post(
        f"/activities/contests/entries/{entry.pk}/edit/",
        {"member": entry.member_id, "title": ""},
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert ContestEntry.objects.get(pk=entry.pk).title == "初心如磐"
