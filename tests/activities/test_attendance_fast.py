"""Attendance in seconds (#19): one list in pinyin order grouped by 党小组, present by default,
the exceptions marked; the meeting log takes minutes, photos and the rest on the same form;
both pages work as plain HTML forms and do not grow in queries with the roster."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.attendance_view_helpers import pinyin_key
from activities.models import Activity, ActivityHost, Attachment, Attendance
from activities.services import activity_create, attendance_record
from members.services import participation_add
from tests.activities.conftest import at, make_member
from tests.factories import make_org

pytestmark = pytest.mark.django_db

# Ten names whose character-code order (丁 万 乔 …) is not their pinyin order (ding, qiao, wan).
TEN = (
    "万春华",
    "丁玉兰",
    "乔国强",
    "王建国",
    "李秀英",
    "张志明",
    "刘玉兰",
    "陈国华",
    "杨桂芳",
    "赵德胜",
)
PINYIN_ORDER = (
    "陈国华",
    "丁玉兰",
    "李秀英",
    "刘玉兰",
    "乔国强",
    "万春华",
    "王建国",
    "杨桂芳",
    "张志明",
    "赵德胜",
)


@pytest.fixture
def choir(org_tree):
    return make_org(
        name="合唱功能党小组",
        kind="party_group",
        category="three_affinity",
        affinity="interest",
        parent=org_tree.branch_a,
    )


@pytest.fixture
def ten(org_tree, staff_user, choir):
    """Ten members of branch A: three in 书画功能党小组, three in 合唱功能党小组, four in none."""
    members = {name: make_member(org_tree.branch_a, name, acting_user=staff_user) for name in TEN}
    for name in ("万春华", "丁玉兰", "王建国"):
        participation_add(
            member=members[name], organization=org_tree.group_a1, acting_user=staff_user
        )
    for name in ("乔国强", "李秀英", "张志明"):
        participation_add(member=members[name], organization=choir, acting_user=staff_user)
    return members


def _names_in_order(html: str, names) -> list[str]:
    """The names as they appear as row legends, in page order."""
    found = re.findall(r'<legend class="attendance-name">([^<]+?)\s*(?:<|</legend>)', html)
    return [n.strip() for n in found if n.strip() in names]


def test_pinyin_key_orders_by_reading_not_character_code():
    names = ["乔", "万", "丁"]
    assert sorted(names) == ["丁", "万", "乔"]  # character-code order, as the old page listed
    assert sorted(names, key=pinyin_key) == ["丁", "乔", "万"]  # ding, qiao, wan


def test_meeting_log_lists_each_member_once_by_pinyin_grouped_by_party_group(
    client, org_tree, ten, secretary_user
):
    client.force_login(secretary_user)
    html = client.get(reverse("activities:meeting_log")).content.decode()
    names = _names_in_order(html, TEN)
    assert sorted(names) == sorted(TEN) and len(names) == 10  # each member once
    # groups in pinyin order (合唱 he < 书画 shu), the members without a group last
    assert names == ["李秀英", "乔国强", "张志明", "丁玉兰", "万春华", "王建国"] + [
        n for n in PINYIN_ORDER if n in ("陈国华", "刘玉兰", "杨桂芳", "赵德胜")
    ]
    titles = re.findall(r'class="attendance-group-title"[^>]*>([^<]+)<', html)
    assert [t.strip() for t in titles] == ["合唱功能党小组", "书画功能党小组", "未编入党小组"]
    # present by default: ten checked "present" radios, no other checked
    assert len(re.findall(r'value="present" checked', html)) == 10
    assert not re.search(r'value="(excused|absent)" checked', html)
    assert 'data-count="present">10<' in html
    # the old double list (出席 and 请假 ticks) is gone; 外部参加人数 is not required
    assert 'name="present"' not in html and 'name="excused"' not in html
    assert not re.search(r'name="outside_participants"[^>]*required', html)
    # co-hosts: search boxes, not a list of every organization
    assert '<select name="co_hosts"' not in html
    assert html.count('name="co_hosts"') >= 3 and "data-search-url" in html


def _post_data(org_tree, members, **extra):
    data = {
        "organization": org_tree.branch_a.pk,
        "type": "committee_meeting",
        "date": timezone.localdate().isoformat(),
        "topic": "学习党章第三章",
    }
    for member in members.values():
        data[f"status_{member.pk}"] = "present"
        data[f"reason_{member.pk}"] = ""
    data.update(extra)
    return data


def test_meeting_log_posts_without_javascript_with_minutes_and_exceptions(
    client, org_tree, ten, secretary_user
):
    client.force_login(secretary_user)
    absent, excused = ten["李秀英"], ten["赵德胜"]
    data = _post_data(
        org_tree,
        ten,
        **{
            f"status_{absent.pk}": "absent",
            f"status_{excused.pk}": "excused",
            f"reason_{excused.pk}": "住院",
            # a reason typed for someone present is not kept
            f"reason_{ten['王建国'].pk}": "无关",
            "discussion": "传达上级会议精神，讨论下季度活动安排。",
            "outside_participants": "",
            "co_hosts": ["", ""],
        },
    )
    response = client.post(reverse("activities:meeting_log"), data, follow=True)
    content = response.content.decode()
    assert "出席 8 人" in content, content[:3000]
    meeting = Activity.objects.get()
    assert (meeting.type, meeting.status, meeting.title) == (
        "committee_meeting",
        "held",
        "学习党章第三章",
    )
    assert meeting.discussion == "传达上级会议精神，讨论下季度活动安排。"
    assert meeting.outside_participants == 0
    rows = {a.member_id: (a.status, a.excused_reason) for a in meeting.attendances.all()}
    assert len(rows) == 10
    assert rows[absent.pk] == ("absent", "")
    assert rows[excused.pk] == ("excused", "住院")
    assert rows[ten["王建国"].pk] == ("present", "")
    assert sum(1 for status, _ in rows.values() if status == "present") == 8


def test_meeting_log_keeps_photos_and_co_hosts_from_the_same_form(
    client, org_tree, ten, secretary_user
):
    client.force_login(secretary_user)
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    data = _post_data(
        org_tree,
        ten,
        photos=[SimpleUploadedFile("合影.jpg", jpeg), SimpleUploadedFile("签到.jpg", jpeg)],
        co_hosts=[f"{org_tree.group_a1.name} [{org_tree.group_a1.pk}]", ""],
        place_text="社区活动室",
        start_time="14:30",
        date=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
    )
    response = client.post(reverse("activities:meeting_log"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Activity.objects.get()
    assert sorted(a.original_name for a in Attachment.objects.filter(activity=meeting)) == [
        "合影.jpg",
        "签到.jpg",
    ]
    assert meeting.place_text == "社区活动室"
    assert timezone.localtime(meeting.start).time() == datetime.time(14, 30)
    assert ActivityHost.objects.filter(
        activity=meeting, organization=org_tree.group_a1, is_lead=False
    ).exists()
    # the co-host's members are not marked absent by the log: ten rows, the branch's own
    assert meeting.attendances.count() == 10


def test_meeting_log_refuses_bad_input_in_chinese_and_saves_nothing(
    client, org_tree, ten, secretary_user
):
    client.force_login(secretary_user)
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    bad_status = _post_data(org_tree, ten, **{f"status_{ten['丁玉兰'].pk}": "asleep"})
    response = client.post(reverse("activities:meeting_log"), bad_status)
    assert response.status_code == 200
    assert "丁玉兰：请选择出席、请假或缺席" in response.content.decode()

    unknown_co_host = _post_data(org_tree, ten, co_hosts=["没有这个组织"])
    response = client.post(reverse("activities:meeting_log"), unknown_co_host)
    content = response.content.decode()
    assert response.status_code == 200 and "没有这个组织" in content
    assert '<details class="meeting-log-more mb-3" open>' in content  # the error is shown

    not_a_photo = _post_data(
        org_tree,
        ten,
        photos=[SimpleUploadedFile("a.jpg", jpeg), SimpleUploadedFile("b.jpg", b"MZ\x90" * 40)],
    )
    response = client.post(reverse("activities:meeting_log"), not_a_photo)
    content = response.content.decode()
    assert response.status_code == 200 and "b.jpg" in content and "只能上传" in content
    later_today = _post_data(org_tree, ten, start_time="23:59")
    if timezone.localtime().time() < datetime.time(23, 59):
        content = client.post(reverse("activities:meeting_log"), later_today).content.decode()
        assert "会议还没有开始，不能登记为已举行" in content
    # what was posted is shown again: the exception stays marked
    posted_again = _post_data(org_tree, ten, **{f"status_{ten['丁玉兰'].pk}": "absent"})
    posted_again["date"] = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(reverse("activities:meeting_log"), posted_again)
    content = response.content.decode()
    assert "未来" in content
    assert f'id="s{ten["丁玉兰"].pk}absent" value="absent" checked' in content
    assert Activity.objects.count() == 0 and Attachment.objects.count() == 0


def test_activity_form_outside_participants_optional_and_co_hosts_by_search(
    client, org_tree, secretary_user
):
    client.force_login(secretary_user)
    html = client.get(reverse("activities:create")).content.decode()
    assert '<select name="co_hosts"' not in html and 'name="co_hosts"' in html
    response = client.post(
        reverse("activities:create"),
        {
            "type": "culture",
            "title": "书画展",
            "organization": org_tree.branch_a.pk,
            "start": "2025-05-01T09:00",
            "end": "2025-05-01T11:00",
            "status": "planned",
            "outside_participants": "",
            "co_hosts": [f"书画功能党小组 [{org_tree.group_a1.pk}]", ""],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    assert activity.outside_participants == 0
    assert list(
        ActivityHost.objects.filter(activity=activity, is_lead=False).values_list(
            "organization__name", flat=True
        )
    ) == ["书画功能党小组"]
    # the edit form shows the chosen co-host in its search box
    edit = client.get(reverse("activities:update", args=[activity.pk])).content.decode()
    assert f'value="书画功能党小组 [{org_tree.group_a1.pk}]"' in edit


def _meeting(org_tree, user, start=None):
    start = start or at(2025, 3, 1)
    return activity_create(
        type="committee_meeting",
        organization=org_tree.branch_a,
        title="支委会",
        start=start,
        end=start + datetime.timedelta(hours=1),
        acting_user=user,
    )


def test_attendance_page_all_present_first_then_exceptions_without_javascript(
    client, org_tree, ten, secretary_user
):
    meeting = _meeting(org_tree, secretary_user)
    client.force_login(secretary_user)
    url = reverse("activities:attendance", args=[meeting.pk])
    html = client.get(url).content.decode()
    assert _names_in_order(html, TEN)[:3] == ["李秀英", "乔国强", "张志明"]
    assert len(re.findall(r'value="present" checked', html)) == 10
    data = {f"status_{m.pk}": "present" for m in ten.values()}
    data[f"status_{ten['刘玉兰'].pk}"] = "excused"
    data[f"reason_{ten['刘玉兰'].pk}"] = "外出"
    data[f"status_{ten['杨桂芳'].pk}"] = "absent"
    assert client.post(url, data).status_code == 302
    rows = {a.member_id: (a.status, a.excused_reason) for a in meeting.attendances.all()}
    assert rows[ten["刘玉兰"].pk] == ("excused", "外出")
    assert rows[ten["杨桂芳"].pk] == ("absent", "")
    assert sum(1 for s, _ in rows.values() if s == "present") == 8
    # once recorded, the page shows what was recorded
    html = client.get(url).content.decode()
    assert f'id="s{ten["杨桂芳"].pk}absent" value="absent" checked' in html
    assert 'data-count="present">8<' in html and 'data-count="absent">1<' in html


def test_attendance_page_future_meeting_is_not_pre_marked(client, org_tree, ten, secretary_user):
    meeting = _meeting(org_tree, secretary_user, start=timezone.now() + datetime.timedelta(days=3))
    client.force_login(secretary_user)
    html = client.get(reverse("activities:attendance", args=[meeting.pk])).content.decode()
    assert "checked" not in html.split("data-attendance-list")[1]
    assert 'data-count="unmarked">10<' in html


def _add_members(org_tree, staff_user, count, start):
    return [
        make_member(org_tree.branch_a, f"党员{n:03d}号", acting_user=staff_user)
        for n in range(start, start + count)
    ]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_attendance_pages_same_queries_for_10_and_40_members(
    client, org_tree, staff_user, secretary_user, choir
):
    people = _add_members(org_tree, staff_user, 10, 0)
    for person in people[:4]:
        participation_add(member=person, organization=choir, acting_user=staff_user)
    meeting = _meeting(org_tree, secretary_user)
    attendance_record(
        activity=meeting,
        entries={p.pk: "present" for p in people[:5]},
        acting_user=secretary_user,
    )
    client.force_login(secretary_user)
    attendance_url = reverse("activities:attendance", args=[meeting.pk])
    log_url = reverse("activities:meeting_log")
    few = (_queries(client, attendance_url), _queries(client, log_url))

    more = _add_members(org_tree, staff_user, 30, 10)
    for person in more[:12]:
        participation_add(member=person, organization=org_tree.group_a1, acting_user=staff_user)
    attendance_record(
        activity=meeting,
        entries={p.pk: "absent" for p in more[:20]},
        acting_user=secretary_user,
    )
    many = (_queries(client, attendance_url), _queries(client, log_url))
    assert few == many
    assert Attendance.objects.filter(activity=meeting).count() == 25


def test_meeting_logged_today_before_nine_starts_now_not_at_nine(
    monkeypatch, org_tree, ten, secretary_user
):
    """Without a start time the meeting starts at 09:00; logged at 07:30 that would be a
    held meeting in the future, which was refused."""
    from django.utils import timezone as tz

    from activities.services.meeting_record import meeting_log_with_record

    today = tz.localdate()
    early = datetime.datetime.combine(today, datetime.time(7, 30), tzinfo=tz.get_default_timezone())
    monkeypatch.setattr(tz, "now", lambda: early)
    meeting = meeting_log_with_record(
        organization=org_tree.branch_a,
        type="committee_meeting",
        date=today,
        topic="晨会",
        present_ids=[m.pk for m in ten.values()],
        acting_user=secretary_user,
    )
    assert tz.localtime(meeting.start).time() == datetime.time(7, 30)
    assert meeting.status == "held"
