"""Each role on each page: anonymous → login, another organization's secretary → 404."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import selectors, services
from branches.models import Organization, Status
from core.actors import system_actor
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity_a(org_tree, secretary_user):
    return services.activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="阅海万家支委会",
        start=at(2025, 5, 6),
        end=at(2025, 5, 6, 11),
        acting_user=secretary_user,
    )


@pytest.fixture
def users(staff_user, secretary_user, other_secretary, supervisor_user, liaison_user, viewer_user):
    return {
        "staff": staff_user,
        "secretary": secretary_user,
        "other_secretary": other_secretary,
        "supervisor": supervisor_user,
        "liaison": liaison_user,
        "viewer": viewer_user,
    }


PAGES = {
    "list": lambda a: reverse("activities:list"),
    "calendar": lambda a: reverse("activities:calendar"),
    "detail": lambda a: reverse("activities:detail", args=[a.pk]),
    "edit": lambda a: reverse("activities:update", args=[a.pk]),
    "attendance": lambda a: reverse("activities:attendance", args=[a.pk]),
    "create": lambda a: reverse("activities:create"),
    "log": lambda a: reverse("activities:meeting_log"),
    "compliance": lambda a: reverse("activities:compliance"),
    "requirements": lambda a: reverse("activities:requirements"),
    "training": lambda a: reverse("activities:training"),
    "contests": lambda a: reverse("activities:contests"),
    "lectures": lambda a: reverse("activities:lectures"),
    "hours": lambda a: reverse("activities:volunteer_hours"),
    "activity_hours": lambda a: reverse("activities:hours", args=[a.pk]),
    "attendance_export": lambda a: reverse("activities:attendance_export", args=[a.pk]),
    "compliance_organization": lambda a: reverse(
        "activities:compliance_organization", args=[a.organization_id]
    ),
    "training_create": lambda a: reverse("activities:training_create"),
}

# role → page → expected status
EXPECTED = {
    "staff": dict.fromkeys(PAGES, 200),
    "secretary": {**dict.fromkeys(PAGES, 200), "requirements": 403},
    "other_secretary": {
        **dict.fromkeys(PAGES, 200),
        "detail": 404,
        "edit": 404,
        "attendance": 404,
        "activity_hours": 404,
        "attendance_export": 404,
        "compliance_organization": 404,
        "requirements": 403,
    },
    **{
        role: {
            **dict.fromkeys(PAGES, 200),
            "edit": 403,
            "attendance": 403,
            "activity_hours": 403,
            "create": 403,
            "log": 403,
            "requirements": 403,
            "training_create": 403,
        }
        for role in ("supervisor", "liaison", "viewer")
    },
}


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, activity_a, page):
    response = client.get(PAGES[page](activity_a))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role,page", [(role, page) for role in EXPECTED for page in PAGES])
def test_role_table(client, users, activity_a, role, page):
    client.force_login(users[role])
    response = client.get(PAGES[page](activity_a))
    assert response.status_code == EXPECTED[role][page], (role, page)


def test_co_host_secretary_sees_and_changes_the_joint_activity(
    client, org_tree, secretary_user, other_secretary
):
    joint = services.activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        co_hosts=[org_tree.branch_b],
        title="联办主题党日",
        start=at(2025, 7, 1),
        end=at(2025, 7, 1, 11),
        acting_user=secretary_user,
    )
    services.cohost_accept(
        link=joint.host_links.get(organization=org_tree.branch_b), acting_user=other_secretary
    )
    client.force_login(other_secretary)
    assert client.get(reverse("activities:detail", args=[joint.pk])).status_code == 200
    assert client.get(reverse("activities:update", args=[joint.pk])).status_code == 200
    page = client.get(reverse("activities:list")).content.decode()
    assert "联办主题党日" in page


def test_secretary_cannot_post_to_another_branchs_activity(client, activity_a, other_secretary):
    client.force_login(other_secretary)
    response = client.post(reverse("activities:action", args=[activity_a.pk, "cancel"]))
    assert response.status_code == 404
    activity_a.refresh_from_db()
    assert activity_a.status == "planned"


def test_secretary_lists_only_own_subtree(client, org_tree, secretary_user, staff_user):
    services.activity_create(
        type="culture",
        organization=org_tree.branch_b,
        title="教育局红歌会",
        start=at(2025, 5, 6),
        end=at(2025, 5, 6, 11),
        acting_user=staff_user,
    )
    client.force_login(secretary_user)
    assert "教育局红歌会" not in client.get(reverse("activities:list")).content.decode()
    client.force_login(staff_user)
    assert "教育局红歌会" in client.get(reverse("activities:list")).content.decode()


def test_meeting_log_for_another_org_is_404(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    response = client.get(reverse("activities:meeting_log"), {"organization": org_tree.branch_b.pk})
    assert response.status_code == 404
    response = client.post(
        reverse("activities:meeting_log"),
        {
            "organization": org_tree.branch_b.pk,
            "type": "committee_meeting",
            "date": datetime.date(2025, 1, 1).isoformat(),
            "topic": "x",
        },
    )
    assert response.status_code == 404


@pytest.fixture
def attachment(activity_a, staff_user):
    return services.attachment_add(
        activity=activity_a,
        upload=SimpleUploadedFile("纪要.pdf", b"%PDF-1.7\n" + b"x" * 64),
        acting_user=staff_user,
    )


@pytest.mark.parametrize(
    "role,expected",
    [("anonymous", 302), ("staff", 200), ("secretary", 200), ("other_secretary", 404)]
    + [(role, 200) for role in ("supervisor", "liaison", "viewer")],
)
def test_attachment_download(client, users, attachment, role, expected):
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(reverse("activities:attachment", args=[attachment.pk]))
    assert response.status_code == expected, role
    if expected == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("page", ["contests", "lectures"])
@pytest.mark.parametrize(
    "role,expected",
    [("anonymous", 302), ("secretary", 403), ("other_secretary", 403)]
    + [(role, 403) for role in ("supervisor", "liaison", "viewer")],
)
def test_only_staff_post_contests_and_lecture_teams(client, users, org_tree, page, role, expected):
    """Every reader opens the pages; their forms are bureau staff's (declared, not hand-made)."""
    if role != "anonymous":
        client.force_login(users[role])
    response = client.post(
        reverse(f"activities:{page}"),
        {"title": "x", "year": 2026, "name": "x", "organization": org_tree.committee.pk},
    )
    assert response.status_code == expected, role
    if expected == 302:
        assert "/accounts/login/" in response["Location"]


def test_staff_posts_a_contest(client, users, org_tree):
    client.force_login(users["staff"])
    response = client.post(
        reverse("activities:contests"),
        {"title": "2026 微党课评选", "year": 2026, "organization": org_tree.committee.pk},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("kind", ["no_role", "inactive"])
def test_organizations_for_a_user_without_a_role_is_empty(make_user, org_tree, kind):
    """As branches says: only the five roles see organizations; no role or inactive, none."""
    if kind == "no_role":
        user = make_user("nobody", role="")
    else:
        user = make_user("gone", role="staff", is_active=False)
    assert not selectors.organizations_for(user).exists()


def test_organizations_for_follows_the_roles(org_tree, users):
    every = set(Organization.objects.filter(status=Status.ACTIVE).values_list("pk", flat=True))
    for role in ("staff", "supervisor", "liaison", "viewer"):
        assert set(selectors.organizations_for(users[role]).values_list("pk", flat=True)) == every
    mine = set(selectors.organizations_for(users["secretary"]).values_list("pk", flat=True))
    assert mine == set(Organization.objects.subtree(org_tree.branch_a).values_list("pk", flat=True))


@pytest.mark.parametrize("kind", ["no_role", "inactive"])
def test_activities_and_training_for_a_user_without_a_role_are_empty(
    make_user, org_tree, users, kind
):
    """Activities and training sessions follow the organizations rule: no role, nothing."""
    start = at(2026, 3, 1)
    activity = services.activity_create(
        organization=org_tree.branch_a,
        acting_user=users["staff"],
        type="theme_day",
        title="主题党日",
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    if kind == "no_role":
        user = make_user("nobody", role="")
    else:
        user = make_user("gone", role="staff", is_active=False)
    assert not selectors.activities_for(user).exists()
    assert not selectors.training_sessions_for(user).exists()
    assert selectors.activities_for(users["viewer"]).filter(pk=activity.pk).exists()
    assert selectors.activities_for(system_actor()).filter(pk=activity.pk).exists()
    assert not selectors.activities_for(users["other_secretary"]).filter(pk=activity.pk).exists()
