"""The task-first 首页 (长辈版): each role's big buttons lead to pages that role may use, what
needs doing now is listed one tap from its form, and the lists cost the same number of queries
with few rows as with many."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.services import activity_create
from assessment import services as assessment_services
from core.notifications import notify
from members.identity import make_id_number
from members.services import member_create
from tests.assessment.conftest import make_rubric
from tests.factories import make_org
from venues.models import OpeningHours, Room, Venue
from venues.services import booking_create

pytestmark = pytest.mark.django_db

TASK = re.compile(r'<a class="task-button" href="([^"]+)" data-task="([a-z_]+)"')
TODO_ACTION = re.compile(r'<a class="btn btn-outline-primary todo-action" href="([^"]+)"')
_SEQUENCE = itertools.count(900)
_BOOKING_DAYS = itertools.count()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def tasks(response) -> dict[str, str]:
    """data-task → href, in page order."""
    return {
        key: href.replace("&amp;", "&") for href, key in TASK.findall(response.content.decode())
    }


def todo_section(html: str, key: str) -> str:
    return html.split(f'data-todo="{key}"')[1].split('class="col"')[0]


def add_old_member(organization, acting_user):
    """A member of 85 with no visit this year: due a visit this month."""
    number = next(_SEQUENCE)
    born = datetime.date(timezone.localdate().year - 85, 1, 1 + number % 27)
    return member_create(
        acting_user=acting_user,
        organization=organization,
        name=f"走访对象{number}",
        gender="female",
        birth_date=born,
        id_number=make_id_number("640104", born, number, "female"),
        category="retired",
        confirmed_on=datetime.date(1985, 1, 1),
        joined_party_on=datetime.date(1961, 7, 2),
    )


def add_pending_booking(venue_room, organization, user):
    """A requested booking on a day of its own (no two overlap)."""
    day = timezone.localdate() + datetime.timedelta(days=2 + next(_BOOKING_DAYS))
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return booking_create(
        room=venue_room,
        organization=organization,
        start=start,
        end=start + datetime.timedelta(minutes=50),
        purpose="主题党日",
        expected_attendees=10,
        acting_user=user,
    )


@pytest.fixture
def secretary_venue(org_tree, secretary_user):
    """A venue owned by the secretary's branch, whose room needs approval."""
    venue = Venue.objects.create(
        name="阅海万家党员活动室",
        address="上海西路 2 号",
        district=org_tree.district,
        community=org_tree.community,
        owner=org_tree.branch_a,
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            venue=venue, weekday=weekday, opens=datetime.time(8), closes=datetime.time(21)
        )
    return Room.objects.create(
        venue=venue, name="党员宣誓室", type="oath", capacity=20, needs_approval=True
    )


# --- Every role: a task row whose buttons answer ----------------------------------------------


@pytest.mark.parametrize(
    "fixture_name, expected",
    [
        (
            "secretary_user",
            ["meeting_log", "signin", "book_room", "claim_need", "care", "notifications"],
        ),
        ("supervisor_user", ["my_assignments", "inspections", "notifications"]),
        ("liaison_user", ["post_need", "claims", "community", "notifications"]),
        ("viewer_user", ["organizations", "activities", "reports", "notifications"]),
        ("staff_user", ["approvals", "transfers", "rounds", "documents", "reports"]),
    ],
)
def test_each_role_gets_a_task_row_whose_buttons_open(client, request, fixture_name, expected):
    user = request.getfixturevalue(fixture_name)
    client.force_login(user)
    found = tasks(client.get(reverse("home")))
    assert list(found)[: len(expected)] == expected
    for key, href in found.items():
        response = client.get(href)
        assert response.status_code == 200, (fixture_name, key, href, response.status_code)


def test_secretary_signin_button_opens_the_next_activitys_qr_code(client, secretary_user, org_tree):
    client.force_login(secretary_user)
    assert tasks(client.get(reverse("home")))["signin"] == reverse("activities:list")
    start = timezone.now() + datetime.timedelta(days=1)
    activity = activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="十二月主题党日",
        start=start,
        end=start + datetime.timedelta(hours=2),
        acting_user=secretary_user,
    )
    href = tasks(client.get(reverse("home")))["signin"]
    assert href == reverse("activities:signin_qr", args=[activity.pk])
    assert client.get(href).status_code == 200


def test_visits_due_are_listed_one_tap_from_the_visit_form(
    client, secretary_user, staff_user, org_tree
):
    member = add_old_member(org_tree.branch_a, staff_user)
    add_old_member(org_tree.branch_b, staff_user)  # not theirs
    client.force_login(secretary_user)
    html = client.get(reverse("home")).content.decode()
    section = todo_section(html, "visits_due")
    assert member.name in section
    assert 'data-todo-count="visits_due">1<' in section
    (href,) = TODO_ACTION.findall(section)
    href = href.replace("&amp;", "&")
    assert href.startswith(reverse("members:visit_add", args=[member.pk]))
    assert client.get(href).status_code == 200


def test_unread_notices_and_bookings_waiting_are_listed(
    client, secretary_user, org_tree, secretary_venue, make_user
):
    notify(recipients=[secretary_user], kind="test", title="请于周五前报送党费台账", url="/")
    requester = make_user("sec_b", role="secretary", organization=org_tree.branch_b)
    booking = add_pending_booking(secretary_venue, org_tree.branch_b, requester)
    client.force_login(secretary_user)
    html = client.get(reverse("home")).content.decode()
    notices = todo_section(html, "unread_notices")
    assert "请于周五前报送党费台账" in notices
    waiting = todo_section(html, "bookings_waiting")
    assert booking.get_absolute_url() in waiting
    assert org_tree.branch_b.name in waiting
    assert client.get(booking.get_absolute_url()).status_code == 200


def test_secretary_task_lists_cost_the_same_queries_with_more_rows(
    client, secretary_user, staff_user, org_tree, secretary_venue, make_user
):
    requester = make_user("sec_b", role="secretary", organization=org_tree.branch_b)

    def add(count):
        for _ in range(count):
            add_old_member(org_tree.branch_a, staff_user)
            notify(recipients=[secretary_user], kind="test", title=f"通知{next(_SEQUENCE)}")
            add_pending_booking(secretary_venue, org_tree.branch_b, requester)

    add(1)
    client.force_login(secretary_user)
    client.get(reverse("home"))  # warm up sessions, content types
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    add(7)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home")).content.decode()
    assert 'data-todo-count="visits_due">8<' in html
    assert 'data-todo-count="unread_notices">8<' in html
    assert 'data-todo-count="bookings_waiting">8<' in html
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)


# --- A supervisor: organizations to score, a 评分 button each ---------------------------------


def scoring_round_for(supervisor, staff_user, organizations, *, year=None):
    """A round of `year` in scoring, `organizations` assigned to `supervisor`."""
    year = year or timezone.localdate().year
    rubrics = [make_rubric(year, "three_affinity"), make_rubric(year, "established")]
    round_ = assessment_services.round_create(
        year=year, title=f"{year} 年度考核", rubrics=rubrics, acting_user=staff_user
    )
    assessment_services.round_set_scope(
        round=round_, organizations=organizations, acting_user=staff_user
    )
    assessment_services.round_assign(
        round=round_, organizations=organizations, supervisors=[supervisor], acting_user=staff_user
    )
    assessment_services.round_open_self_assessment(round=round_, acting_user=staff_user)
    assessment_services.round_open_scoring(round=round_, acting_user=staff_user)
    return round_


def test_supervisor_scores_each_organization_from_home(
    client, supervisor_user, staff_user, org_tree
):
    round_ = scoring_round_for(supervisor_user, staff_user, [org_tree.branch_a])
    assessment = round_.assessments.get(organization=org_tree.branch_a)
    client.force_login(supervisor_user)
    html = client.get(reverse("home")).content.decode()
    score_url = reverse("assessment:score", args=[assessment.pk])
    assert f'href="{score_url}"' in html
    assert "评分" in html
    assert org_tree.branch_a.name in html
    assert org_tree.branch_b.name not in html  # not assigned to them
    assert client.get(score_url).status_code == 200


def test_supervisor_home_costs_the_same_queries_with_more_organizations(
    client, supervisor_user, staff_user, org_tree
):
    client.force_login(supervisor_user)
    this_year = timezone.localdate().year
    scoring_round_for(supervisor_user, staff_user, [org_tree.branch_a], year=this_year - 1)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    more = [
        make_org(
            name=f"测试地缘党支部{index}",
            kind="branch",
            category="three_affinity",
            affinity="residence",
            parent=org_tree.joint,
        )
        for index in range(6)
    ]
    scoring_round_for(supervisor_user, staff_user, [org_tree.branch_a, *more], year=this_year)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home")).content.decode()
    assert html.count('class="btn btn-primary btn-lg score-button"') == 8
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)


def test_liaison_without_a_community_still_gets_notifications(client, make_user):
    user = make_user("liaison_nowhere", role="liaison")
    client.force_login(user)
    found = tasks(client.get(reverse("home")))
    assert "notifications" in found and "community" not in found


def test_staff_keep_their_figures_below_their_task_row(client, staff_user, org_tree):
    client.force_login(staff_user)
    html = client.get(reverse("home")).content.decode()
    assert html.index('data-task="approvals"') < html.index('data-kpi="established_branches"')


def test_their_members_is_never_a_label_alone(client, staff_user, org_tree):
    """其党员 on its own did not say whose members: each member figure names its group."""
    client.force_login(staff_user)
    html = client.get(reverse("home")).content.decode()
    assert ">其党员<" not in html
    assert "建制党支部党员" in html
