import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.venues.conftest import at, days_ahead
from venues.models import Booking
from venues.selectors import organization_venue_summary
from venues.services.feeds import feed_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(venue_setup, book):
    day = days_ahead(3)
    return book(venue_setup.oath, at(day, 9), at(day, 10), purpose="入党宣誓")


@pytest.mark.parametrize(
    "role,expected",
    [("owner", 302), ("staff_user", 302), ("secretary_user", 403), ("other_secretary", 404)],
)
def test_who_approves(request, client, venue_setup, booking, role, expected):
    user = venue_setup.owner_secretary if role == "owner" else request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(f"/venues/bookings/{booking.pk}/approve/")
    assert response.status_code == expected
    booking.refresh_from_db()
    assert booking.status == ("approved" if expected == 302 else "requested")


def test_reject_goes_through_the_same_decision_view(client, venue_setup, booking):
    client.force_login(venue_setup.owner_secretary)
    url = f"/venues/bookings/{booking.pk}/reject/"
    assert client.get(url).status_code == 405  # a button's target: POST only
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "requested"  # no reason: nothing decided
    response = client.post(url, {"reason": "当天设备检修", "next": "queue"})
    assert response["Location"] == "/venues/approvals/"
    booking.refresh_from_db()
    assert (booking.status, booking.decision_note) == ("rejected", "当天设备检修")
    assert booking.decided_by == venue_setup.owner_secretary


def test_cancel_and_visitors_pages_post_only(client, booking, secretary_user):
    client.force_login(secretary_user)
    assert client.get(f"/venues/bookings/{booking.pk}/cancel/").status_code == 405
    assert client.get(f"/venues/bookings/{booking.pk}/visitors/").status_code == 405
    response = client.post(f"/venues/bookings/{booking.pk}/cancel/", {"scope": "one"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_owner_sees_queue_and_other_secretary_books_for_own_org(
    client, venue_setup, booking, other_secretary
):
    client.force_login(venue_setup.owner_secretary)
    assert "入党宣誓" in client.get("/venues/approvals/").content.decode()
    client.force_login(venue_setup.liaison)  # a liaison with an organization books for it
    day = days_ahead(4)
    response = client.post(
        f"/venues/rooms/{venue_setup.meeting.pk}/book/",
        {
            "purpose": "联络员活动",
            "date": day.isoformat(),
            "start_time": "14:00",
            "end_time": "15:00",
            "expected_attendees": 5,
        },
    )
    assert response.status_code == 302
    assert (
        Booking.objects.get(purpose="联络员活动").organization == venue_setup.liaison.organization
    )


def test_booking_form_bad_input_and_conflict_in_chinese(
    client, venue_setup, booking, other_secretary
):
    client.force_login(other_secretary)
    url = f"/venues/rooms/{venue_setup.oath.pk}/book/"
    day = days_ahead(3)
    base = {"purpose": "学习", "date": day.isoformat(), "expected_attendees": 5}
    response = client.post(url, {**base, "start_time": "09:30", "end_time": "10:30"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "与「入党宣誓」（阅海万家地缘党支部" in text and "09:00–10:00" in text
    response = client.post(url, {**base, "start_time": "11:00", "end_time": "10:00"})
    assert "结束时间：必须晚于开始时间" in response.content.decode()
    response = client.post(
        url, {**base, "start_time": "11:00", "end_time": "12:00", "expected_attendees": 99}
    )
    assert "超过活动室可容纳人数" in response.content.decode()
    response = client.post(url, {**base, "start_time": "abc", "end_time": "12:00"})
    assert response.status_code == 200
    assert Booking.objects.count() == 1


def test_recurring_form_asks_then_skips(client, venue_setup, secretary_user, book, other_secretary):
    first = days_ahead(2)
    blocked = first + datetime.timedelta(days=7)
    book(
        venue_setup.meeting, at(blocked, 14), at(blocked, 15), user=other_secretary, purpose="占用"
    )
    client.force_login(secretary_user)
    url = f"/venues/rooms/{venue_setup.meeting.pk}/book/"
    data = {
        "purpose": "合唱团",
        "date": first.isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "expected_attendees": 20,
        "repeat": "weekly",
        "count": 3,
    }
    response = client.post(url, data)
    text = response.content.decode()
    assert f"{blocked:%Y-%m-%d}" in text and "跳过这些日期" in text and "全部不预约" in text
    assert Booking.objects.filter(purpose="合唱团").count() == 0
    client.post(url, {**data, "on_conflict": "none"})
    assert Booking.objects.filter(purpose="合唱团").count() == 0
    response = client.post(url, {**data, "on_conflict": "skip"})
    assert response.status_code == 302
    assert Booking.objects.filter(purpose="合唱团").count() == 2


def _week_queries(client, room, monday):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/venues/rooms/{room.pk}/?week={monday:%Y-%m-%d}")
    assert response.status_code == 200
    return len(queries), response


def _fill_week(room, org, monday, count):
    slots = []
    per_day = max(1, count // 7 + 1)
    length = datetime.timedelta(minutes=max(1, (13 * 60) // per_day))
    for index in range(count):
        day = monday + datetime.timedelta(days=index % 7)
        start = at(day, 8) + length * (index // 7)
        slots.append(
            Booking(
                room=room,
                organization=org,
                purpose=f"活动{index}",
                start=start,
                end=start + length,
                expected_attendees=5,
                status="approved",
            )
        )
    Booking.objects.bulk_create(slots)


def test_calendars_run_the_same_queries_for_5_and_500_bookings(
    client, venue_setup, secretary_user, org_tree
):
    today = days_ahead(7)
    monday = today - datetime.timedelta(days=today.weekday())
    later = monday + datetime.timedelta(days=14)
    client.force_login(secretary_user)
    _fill_week(venue_setup.meeting, org_tree.branch_a, monday, 5)
    _fill_week(venue_setup.meeting, org_tree.branch_b, later, 500)
    few, _ = _week_queries(client, venue_setup.meeting, monday)
    many, response = _week_queries(client, venue_setup.meeting, later)
    assert "活动499" in response.content.decode()
    assert few == many
    with CaptureQueriesContext(connection) as q_few:
        client.get(f"/venues/{venue_setup.venue.pk}/day/?date={monday:%Y-%m-%d}")
    with CaptureQueriesContext(connection) as q_many:
        response = client.get(f"/venues/{venue_setup.venue.pk}/day/?date={later:%Y-%m-%d}")
    assert len(q_few) == len(q_many)
    with CaptureQueriesContext(connection) as q_list:
        client.get("/venues/bookings/")
    _fill_week(venue_setup.oath, org_tree.branch_a, later, 60)
    with CaptureQueriesContext(connection) as q_list_more:
        client.get("/venues/bookings/?page=2")
    assert len(q_list) == len(q_list_more)


def test_booking_export_is_exactly_what_is_filtered(
    client, venue_setup, staff_user, book, other_secretary
):
    day = days_ahead(3)
    book(venue_setup.meeting, at(day, 9), at(day, 10), purpose="=共用活动")
    book(
        venue_setup.meeting,
        at(day, 10),
        at(day, 11),
        purpose="自用",
        user=venue_setup.owner_secretary,
    )
    book(venue_setup.oath, at(day, 10), at(day, 11), purpose="他支部", user=other_secretary)
    client.force_login(staff_user)
    response = client.get("/venues/bookings/export.xlsx?shared=yes&organization=阅海万家地缘")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("阵地", "活动室", "预约组织", "用途")
    assert [r[3] for r in rows[1:]] == ["=共用活动"]  # formula-like text stays text
    assert rows[1][8] == "是"


def test_stats_page_and_export(client, venue_setup, staff_user, book):
    day = days_ahead(3)
    book(venue_setup.meeting, at(day, 9), at(day, 11))
    client.force_login(staff_user)
    response = client.get(f"/venues/stats/?year={day.year}")
    assert "阅海万家社区党群服务站" in response.content.decode()
    response = client.get(
        f"/venues/stats/export.xlsx?year={day.year}&district={venue_setup.venue.district_id}"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"阵地联享 {day.year} 年"
    assert rows[2][0] == "阅海万家社区党群服务站"
    assert rows[2][4:8] == (1, 1, 0, 2.0)
    assert 0 < rows[2][9] < 1


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_feed(client, venue_setup, book, secretary_user):
    day = days_ahead(3)
    long_purpose = "书画,交流;活动\n第二行" + "很长的标题" * 20
    booking = book(venue_setup.meeting, at(day, 9), at(day, 11), purpose=long_purpose[:200])
    book(venue_setup.meeting, at(day, 14), at(day, 15))
    url = feed_token_issue(user=secretary_user, room=venue_setup.meeting).get_feed_url()
    response = client.get(url)  # no login: phone calendars cannot sign in; the token is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = _unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2
    assert f"UID:booking-{booking.pk}@testserver" in lines
    assert "DTSTART:" + booking.start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ") in lines
    summary = next(line for line in lines if line.startswith("SUMMARY:书画"))
    assert summary.startswith("SUMMARY:书画\\,交流\\;活动\\n第二行")
    assert client.get(url.replace(".ics", "x.ics")).status_code in (302, 404)
    client.force_login(secretary_user)
    assert url in client.get(f"/venues/rooms/{venue_setup.meeting.pk}/").content.decode()


def test_organization_section_context(venue_setup, book, secretary_user):
    day = days_ahead(3)
    book(venue_setup.meeting, at(day, 9), at(day, 11))
    assert organization_venue_summary(venue_setup.owner)["venues_owned"] == [venue_setup.venue]
    assert len(organization_venue_summary(secretary_user.organization)["upcoming_bookings"]) == 1
