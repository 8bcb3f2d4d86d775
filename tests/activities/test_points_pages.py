"""The volunteer points pages: every role against every page (another organization's secretary
gets 404), the ranking per organization and balances, a member's ledger, the exchange form
(limited to the balance) and its reversal, the bureau's rule, the export, N+1 guards."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Activity, PointsEntry, PointsEntryKind, PointsRule, VolunteerHours
from activities.services.points import balance_of, points_exchange, points_rule_set, points_sync
from members.identity import make_id_number
from members.services import member_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _member(organization, staff_user, name, serial):
    born = datetime.date(1948, 5, 1)
    return member_create(
        acting_user=staff_user,
        organization=organization,
        name=name,
        gender="male",
        birth_date=born,
        id_number=make_id_number("640104", born, serial, "male"),
    )


def _activity(organization, title, days_ago=3):
    start = timezone.now() - datetime.timedelta(days=days_ago)
    return Activity.objects.create(
        title=title,
        type="volunteering",
        status="held",
        organization=organization,
        start=start,
        end=start + datetime.timedelta(hours=3),
    )


def _hours(member, activity, hours, staff_user, day=None):
    VolunteerHours.objects.update_or_create(
        member=member,
        activity=activity,
        defaults={
            "hours": Decimal(hours),
            "date": day or timezone.localdate(activity.start),
            "recorded_by": staff_user,
        },
    )


@pytest.fixture
def rule(staff_user):
    return points_rule_set(
        points_per_hour="10",
        cap_per_activity="30",
        effective_from=datetime.date(2020, 1, 1),
        acting_user=staff_user,
    )


@pytest.fixture
def world(org_tree, staff_user, rule):
    """Branch A: 王 (2 h + 5 h capped → 50) and 李 (1 h → 10); branch B: 赵 (3 h → 30)."""
    wang = _member(org_tree.branch_a, staff_user, "王志愿", 11)
    li = _member(org_tree.branch_a, staff_user, "李志愿", 13)
    zhao = _member(org_tree.branch_b, staff_user, "赵志愿", 15)
    one, two = _activity(org_tree.branch_a, "义诊"), _activity(org_tree.branch_a, "清扫")
    three = _activity(org_tree.branch_b, "助老")
    _hours(wang, one, "2", staff_user)
    _hours(wang, two, "5", staff_user)
    _hours(li, one, "1", staff_user)
    _hours(zhao, three, "3", staff_user)
    points_sync()
    exchange = points_exchange(
        member=wang, points="15", exchanged_for="理发服务", acting_user=staff_user
    )
    return {"wang": wang, "li": li, "zhao": zhao, "exchange": exchange}


@pytest.fixture
def users(staff_user, secretary_user, other_secretary, supervisor_user, liaison_user, viewer_user):
    return {
        "staff": staff_user,
        "secretary": secretary_user,
        "secretary_b": other_secretary,
        "supervisor": supervisor_user,
        "liaison": liaison_user,
        "viewer": viewer_user,
    }


ALL = dict.fromkeys(["staff", "secretary", "secretary_b", "supervisor", "liaison", "viewer"], 200)
BUREAU = {**dict.fromkeys(ALL, 403), "staff": 200}
# A member of branch A: read by every role that reads branch A's members (the liaison's
# community is branch A's); kept by the bureau and branch A's secretary.
READ = {**ALL, "secretary_b": 404}
KEEP = {**READ, "supervisor": 403, "liaison": 403, "viewer": 403}

PAGES = [
    ("activities:points", None, ALL),
    ("activities:points_export", None, ALL),
    ("activities:points_rule", None, BUREAU),
    ("activities:points_ledger", "member", READ),
    ("activities:points_exchange", "member", KEEP),
    ("activities:points_reverse", "entry", KEEP),
]


@pytest.mark.parametrize(
    "role", ["staff", "secretary", "secretary_b", "supervisor", "liaison", "viewer", "anonymous"]
)
@pytest.mark.parametrize(("name", "arg", "expected"), PAGES)
def test_permission_table(client, users, world, role, name, arg, expected):
    args = {None: [], "member": [world["wang"].pk], "entry": [world["exchange"].pk]}[arg]
    url = reverse(name, args=args)
    if role == "anonymous":
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.url
        return
    client.force_login(users[role])
    assert client.get(url).status_code == expected[role], (name, role)


def test_posts_are_refused_to_those_who_may_only_read(client, users, world):
    client.force_login(users["viewer"])
    response = client.post(
        reverse("activities:points_exchange", args=[world["wang"].pk]),
        {"points": "1", "exchanged_for": "毛巾"},
    )
    assert response.status_code == 403
    client.force_login(users["secretary"])
    response = client.post(
        reverse("activities:points_rule"),
        {"points_per_hour": "99", "cap_per_activity": "99", "effective_from": "2020-01-01"},
    )
    assert response.status_code == 403
    assert PointsRule.objects.count() == 1
    assert balance_of(world["wang"]) == Decimal("35.0")


def test_ranking_per_organization_with_balances(client, staff_user, world):
    client.force_login(staff_user)
    response = client.get(reverse("activities:points"), {"year": TODAY.year})
    rows = {row["member__name"]: row for row in response.context["page_obj"]}
    assert rows["王志愿"]["earned"] == Decimal("50.0")  # 20 + 30 (capped at 30)
    assert rows["王志愿"]["exchanged"] == Decimal("-15.0")
    assert rows["王志愿"]["balance"] == Decimal("35.0")
    assert (rows["王志愿"]["rank"], rows["李志愿"]["rank"]) == (1, 2)
    assert rows["赵志愿"]["rank"] == 1  # first in branch B: ranked per organization
    assert "王志愿" in response.content.decode()
    last_year = client.get(reverse("activities:points"), {"year": TODAY.year - 1})
    rows = {row["member__name"]: row for row in last_year.context["page_obj"]}
    assert rows["王志愿"]["earned"] == 0 and rows["王志愿"]["balance"] == Decimal("35.0")


def test_a_secretary_sees_the_ranking_of_their_own_organization(client, secretary_user, world):
    client.force_login(secretary_user)
    page = client.get(reverse("activities:points")).context["page_obj"]
    assert {row["member__name"] for row in page} == {"王志愿", "李志愿"}


def test_the_organization_filter_narrows_the_ranking(client, staff_user, org_tree, world):
    client.force_login(staff_user)
    response = client.get(reverse("activities:points"), {"organization": org_tree.branch_b.pk})
    assert [row["member__name"] for row in response.context["page_obj"]] == ["赵志愿"]


def test_the_ledger_shows_earned_exchanged_and_the_balance(client, secretary_user, world):
    client.force_login(secretary_user)
    response = client.get(reverse("activities:points_ledger", args=[world["wang"].pk]))
    body = response.content.decode()
    assert response.context["balance"] == Decimal("35.0")
    assert "义诊" in body and "清扫" in body and "理发服务" in body
    assert reverse("activities:points_reverse", args=[world["exchange"].pk]) in body


def test_exchange_form_is_limited_to_the_balance(client, secretary_user, world):
    client.force_login(secretary_user)
    url = reverse("activities:points_exchange", args=[world["wang"].pk])
    response = client.post(url, {"points": "36", "exchanged_for": "保温杯"})
    assert response.status_code == 200
    assert "35.0" in response.content.decode()  # the message names the balance
    assert balance_of(world["wang"]) == Decimal("35.0")

    response = client.post(url, {"points": "35", "exchanged_for": "保温杯"})
    assert response.status_code == 302
    assert balance_of(world["wang"]) == Decimal("0.0")
    assert PointsEntry.objects.filter(exchanged_for="保温杯", points=Decimal("-35.0")).exists()


def test_reversing_an_exchange_writes_a_reversing_line(client, secretary_user, world):
    client.force_login(secretary_user)
    url = reverse("activities:points_reverse", args=[world["exchange"].pk])
    assert client.post(url, {"note": ""}).status_code == 200  # a reason is required
    response = client.post(url, {"note": "登记错误"})
    assert response.status_code == 302
    reversal = PointsEntry.objects.get(reverses=world["exchange"])
    assert reversal.kind == PointsEntryKind.REVERSAL and reversal.points == Decimal("15.0")
    assert balance_of(world["wang"]) == Decimal("50.0")
    PointsEntry.objects.get(pk=world["exchange"].pk)  # the line itself stays
    again = client.post(url, {"note": "再来一次"})
    assert again.status_code == 200 and PointsEntry.objects.filter(reverses__isnull=False).count()
    assert balance_of(world["wang"]) == Decimal("50.0")
    ledger = client.get(reverse("activities:points_ledger", args=[world["wang"].pk]))
    assert url not in ledger.content.decode()  # no second reversal offered


def test_an_earned_line_cannot_be_reversed_by_hand(client, staff_user, world):
    client.force_login(staff_user)
    earned = PointsEntry.objects.filter(member=world["wang"], kind="earned").first()
    response = client.post(reverse("activities:points_reverse", args=[earned.pk]), {"note": "不对"})
    assert response.status_code == 200
    assert not PointsEntry.objects.filter(reverses=earned).exists()


def test_a_new_rule_from_a_past_day_recomputes_the_points_since(client, staff_user, world):
    client.force_login(staff_user)
    response = client.post(
        reverse("activities:points_rule"),
        {
            "points_per_hour": "5",
            "cap_per_activity": "100",
            "effective_from": (TODAY - datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    # 王: 2 h + 5 h at 5 points = 35 earned, 15 exchanged.
    assert balance_of(world["wang"]) == Decimal("20.0")
    page = client.get(reverse("activities:points_rule"))
    assert len(page.context["rules"]) == 2


def test_the_export_holds_the_page_rows(client, staff_user, secretary_user, world):
    client.force_login(secretary_user)
    response = client.get(reverse("activities:points_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    names = {row[2] for row in values[2:]}
    assert names == {"王志愿", "李志愿"}  # the secretary's scope, as the page
    wang = next(row for row in values if row[2] == "王志愿")
    assert (wang[1], wang[3], wang[5]) == (1, 50, 35)


def test_export_of_another_organization_is_refused(client, other_secretary, org_tree, world):
    client.force_login(other_secretary)
    response = client.get(
        reverse("activities:points_export"), {"organization": org_tree.branch_a.pk}
    )
    assert response.status_code == 403


def _more(org_tree, staff_user, count, start):
    activity = _activity(org_tree.branch_a, f"活动{start}")
    for i in range(count):
        member = _member(org_tree.branch_a, staff_user, f"成员{start + i}", 100 + start + i)
        _hours(member, activity, "1", staff_user)
        PointsEntry.objects.create(
            member=member,
            kind=PointsEntryKind.EXCHANGED,
            points=Decimal("-1"),
            day=TODAY,
            exchanged_for="毛巾",
            recorded_by=staff_user,
        )
    points_sync()


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_no_n_plus_one_on_the_ranking(client, staff_user, org_tree, world):
    client.force_login(staff_user)
    url = reverse("activities:points")
    _more(org_tree, staff_user, 3, 0)
    few = _queries(client, url)
    _more(org_tree, staff_user, 8, 10)
    assert _queries(client, url) == few


def test_no_n_plus_one_on_a_ledger(client, staff_user, org_tree, world):
    client.force_login(staff_user)
    wang = world["wang"]
    url = reverse("activities:points_ledger", args=[wang.pk])
    few = _queries(client, url)
    for i in range(6):
        activity = _activity(org_tree.branch_a, f"增加{i}")
        _hours(wang, activity, "1", staff_user)
        points_exchange(member=wang, points="1", exchanged_for=f"物品{i}", acting_user=staff_user)
    points_sync()
    assert PointsEntry.objects.filter(member=wang).count() > 10
    assert _queries(client, url) == few
