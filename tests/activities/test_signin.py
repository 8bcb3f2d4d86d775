"""Sign-in by QR code and from the printed sheet: the window, the digits, the lock, the pages."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Attendance, AttendanceSource, AttendanceStatus
from activities.services import signin
from tests.activities.conftest import make_member

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def people(org_tree, staff_user):
    names = ("王建国", "李秀英", "张志明")
    return [
        make_member(org_tree.branch_a, name, acting_user=staff_user, phone=f"1380013{n + 5:04d}")
        for n, name in enumerate(names)
    ]


@pytest.fixture
def meeting(org_tree, secretary_user, people):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=10)
    return services.activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="七月主题党日",
        start=start,
        end=start + datetime.timedelta(hours=2),
        acting_user=secretary_user,
    )


def digits(member) -> str:
    return member.phone[-4:]


def test_sign_in_marks_present_by_qr_with_the_time(meeting, people):
    attendance = signin.qr_sign_in(
        activity=meeting, member_id=people[1].pk, phone_last4=digits(people[1])
    )
    attendance.refresh_from_db()
    assert attendance.status == AttendanceStatus.PRESENT
    assert attendance.source == AttendanceSource.QR_CODE
    assert attendance.signed_in_at is not None
    assert [row["member"] for row in signin.signed_in(meeting)] == [people[1].pk]


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (datetime.timedelta(hours=-2), "签到将于"),
        (datetime.timedelta(hours=4), "签到已于"),
    ],
)
def test_outside_the_window_is_refused_in_chinese(meeting, people, shift, message):
    when = (meeting.start if shift < datetime.timedelta(0) else meeting.end) + shift
    with pytest.raises(signin.SignInError, match=message):
        signin.qr_sign_in(
            activity=meeting, member_id=people[0].pk, phone_last4=digits(people[0]), now=when
        )
    assert not Attendance.objects.exists()


def test_inside_the_margin_is_accepted(meeting, people):
    signin.qr_sign_in(
        activity=meeting,
        member_id=people[0].pk,
        phone_last4=digits(people[0]),
        now=meeting.start - datetime.timedelta(minutes=50),
    )
    assert Attendance.objects.get().status == AttendanceStatus.PRESENT


def test_wrong_digits_are_refused_in_chinese(meeting, people):
    with pytest.raises(signin.SignInError, match="不一致"):
        signin.qr_sign_in(activity=meeting, member_id=people[0].pk, phone_last4="9999")
    assert not Attendance.objects.exists()


def test_twenty_wrong_tries_lock_the_activity(meeting, people, org_tree, secretary_user):
    other = services.activity_create(
        type="theme_day",
        organization=org_tree.branch_a,
        title="另一次活动",
        start=meeting.start,
        end=meeting.end,
        acting_user=secretary_user,
    )
    for _ in range(signin.MAX_WRONG_TRIES - 1):
        with pytest.raises(signin.SignInError, match="不一致"):
            signin.qr_sign_in(activity=meeting, member_id=people[0].pk, phone_last4="9999")
    assert not signin.is_locked(meeting)
    with pytest.raises(signin.SignInError, match="不一致"):
        signin.qr_sign_in(activity=meeting, member_id=people[0].pk, phone_last4="9999")
    assert signin.is_locked(meeting)
    # now even the right digits are refused, for this activity only
    with pytest.raises(signin.SignInError, match="错误次数过多"):
        signin.qr_sign_in(activity=meeting, member_id=people[1].pk, phone_last4=digits(people[1]))
    assert not Attendance.objects.filter(activity=meeting).exists()
    signin.qr_sign_in(activity=other, member_id=people[1].pk, phone_last4=digits(people[1]))
    assert Attendance.objects.filter(activity=other).count() == 1


def test_someone_not_expected_cannot_sign_in(meeting, org_tree, staff_user):
    stranger = make_member(org_tree.branch_b, "陈国华", acting_user=staff_user, phone=PHONE)
    with pytest.raises(signin.SignInError, match="名单"):
        signin.qr_sign_in(activity=meeting, member_id=stranger.pk, phone_last4=PHONE[-4:])


def test_a_forged_token_finds_nothing(meeting):
    token = signin.signin_token(meeting)
    assert signin.activity_for_token(token) == meeting
    assert signin.activity_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert signin.activity_for_token(f"{meeting.pk}") is None


def test_paper_ticks_mark_present_and_leave_others(meeting, people, secretary_user):
    signin.qr_sign_in(activity=meeting, member_id=people[0].pk, phone_last4=digits(people[0]))
    signin.paper_sheet_record(
        activity=meeting, present_ids=[people[0].pk, people[1].pk], acting_user=secretary_user
    )
    rows = {a.member_id: a for a in Attendance.objects.filter(activity=meeting)}
    assert rows[people[0].pk].source == AttendanceSource.QR_CODE
    assert rows[people[1].pk].source == AttendanceSource.PAPER
    assert rows[people[1].pk].status == AttendanceStatus.PRESENT
    assert people[2].pk not in rows


def test_paper_ticks_by_another_organizations_secretary_are_refused(
    meeting, people, other_secretary
):
    with pytest.raises(services.ActivityError):
        signin.paper_sheet_record(
            activity=meeting, present_ids=[people[0].pk], acting_user=other_secretary
        )


# --- Pages ---------------------------------------------------------------------------------------


def test_public_page_shows_names_only_and_signs_in(client, meeting, people):
    url = reverse("activities:sign_in", args=[signin.signin_token(meeting)])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for person in people:
        assert person.name in html
        assert person.phone not in html
        assert person.phone[-4:] not in html
        assert person.id_number not in html
    wrong = client.post(url, {"member": people[0].pk, "digits": "9999"})
    assert "不一致" in wrong.content.decode()
    done = client.post(url, {"member": people[0].pk, "digits": digits(people[0])})
    assert done.status_code == 200
    assert "已签到" in done.content.decode() or "签到成功" in done.content.decode()
    assert Attendance.objects.get(member=people[0]).source == AttendanceSource.QR_CODE


def test_public_page_outside_the_window_says_so(client, meeting, people):
    meeting.start = timezone.now() + datetime.timedelta(days=2)
    meeting.end = meeting.start + datetime.timedelta(hours=1)
    meeting.save()
    url = reverse("activities:sign_in", args=[signin.signin_token(meeting)])
    html = client.get(url).content.decode()
    assert "签到将于" in html
    assert people[0].name not in html
    client.post(url, {"member": people[0].pk, "digits": digits(people[0])})
    assert not Attendance.objects.exists()


def test_sheet_prints_at_a4_with_large_type_and_the_names(client, secretary_user, meeting, people):
    client.force_login(secretary_user)
    page = client.get(reverse("activities:signin_sheet", args=[meeting.pk]))
    html = page.content.decode()
    for person in people:
        assert person.name in html
    assert "签名" in html
    css_url = re.search(r'href="([^"]*signin_sheet\.css)"', html).group(1)
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[2]
        / "activities/static/activities/signin_sheet.css"
    ).read_text()
    assert css_url.endswith("activities/signin_sheet.css")
    assert "size: A4" in css
    assert re.search(r"font-size:\s*1[6-9]pt", css)
    assert "<script>" not in html  # the print button's script is a static file


def test_qr_page_shows_an_svg_of_the_link(client, secretary_user, meeting):
    client.force_login(secretary_user)
    html = client.get(reverse("activities:signin_qr", args=[meeting.pk])).content.decode()
    assert "<svg" in html
    assert signin.signin_token(meeting) in html


def test_json_lists_who_signed_in(client, secretary_user, meeting, people):
    signin.qr_sign_in(activity=meeting, member_id=people[2].pk, phone_last4=digits(people[2]))
    client.force_login(secretary_user)
    data = client.get(reverse("activities:signin_json", args=[meeting.pk])).json()
    assert [row["member"] for row in data["present"]] == [people[2].pk]
    assert data["present"][0]["source"] == "qr"


def test_paper_page_ticks(client, secretary_user, meeting, people):
    client.force_login(secretary_user)
    url = reverse("activities:signin_paper", args=[meeting.pk])
    assert people[1].name in client.get(url).content.decode()
    response = client.post(url, {"present": [people[1].pk]})
    assert response.status_code == 302
    assert Attendance.objects.get(member=people[1]).source == AttendanceSource.PAPER
    empty = client.post(url, {})
    assert "至少" in empty.content.decode()


# --- Permissions -----------------------------------------------------------------------------

PAGES = ("signin_qr", "signin_sheet", "signin_paper", "signin_json")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("staff", 200),
        ("secretary", 200),
        ("other_secretary", 404),
        ("viewer", 403),
        ("supervisor", 403),
        ("liaison", 403),
    ],
)
def test_permission_table(client, request, meeting, name, role, expected):
    if role != "anonymous":
        client.force_login(
            request.getfixturevalue(f"{role}_user" if role != "other_secretary" else role)
        )
    response = client.get(reverse(f"activities:{name}", args=[meeting.pk]))
    assert response.status_code == expected
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_public_page_needs_a_valid_token(client, meeting):
    assert (
        client.get(reverse("activities:sign_in", args=[signin.signin_token(meeting)])).status_code
        == 200
    )
    bad = client.get(reverse("activities:sign_in", args=[f"{meeting.pk}:forged"]))
    assert bad.status_code in (302, 404)
    assert bad.status_code != 200
