"""Pages: what users see, N+1 guards, forms refusing bad input, Excel read back."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities import services
from activities.models import Activity, Attachment, Attendance, RequiredFrequency
from core.actors import system_actor
from tests.activities.conftest import at, make_member
from venues.models import Room, Venue

pytestmark = pytest.mark.django_db


def _activities(org_tree, count, *, start_day=0, joint_every=3):
    made = []
    for i in range(count):
        when = at(2025, 1, 1) + datetime.timedelta(days=start_day + i)
        made.append(
            services.activity_create(
                type="culture" if i % 2 else "committee_meeting",
                organization=org_tree.branch_a,
                co_hosts=[org_tree.branch_b] if i % joint_every == 0 else [],
                title=f"活动{start_day + i:03d}",
                start=when,
                end=when + datetime.timedelta(hours=2),
                status="held",
                brand="silver_glow" if i % 2 else "",
                acting_user=system_actor(),
            )
        )
    return made


def _count_queries(client, url, **params):
    cache.clear()  # each count from a cold page (the board's overdue list is cached a minute)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_same_queries_for_10_and_200_activities(client, org_tree, members_a, staff_user):
    client.force_login(staff_user)
    made = _activities(org_tree, 10)
    services.attendance_record(
        activity=made[0], entries={m.pk: "present" for m in members_a}, acting_user=system_actor()
    )
    url = reverse("activities:list")
    few = _count_queries(client, url, paginate="x")
    _activities(org_tree, 190, start_day=10)
    many = _count_queries(client, url, paginate="x")
    assert few == many
    assert _count_queries(
        client, reverse("activities:calendar"), month="2025-03"
    ) == _count_queries(client, reverse("activities:calendar"), month="2025-01")


def test_compliance_board_same_queries_for_10_and_200_activities(
    client, org_tree, frequencies, staff_user
):
    client.force_login(staff_user)
    _activities(org_tree, 10)
    url = reverse("activities:compliance")
    few = _count_queries(client, url, year=2025)
    _activities(org_tree, 190, start_day=10)
    many = _count_queries(client, url, year=2025)
    assert few == many
    page = client.get(url, {"year": 2025}).content.decode()
    assert "阅海万家地缘党支部" in page and "逾期" in page


def test_list_filters_joint_brand_type_and_subtree(client, org_tree, staff_user):
    client.force_login(staff_user)
    _activities(org_tree, 6)
    page = client.get(reverse("activities:list"), {"joint": "on"}).content.decode()
    assert "活动000" in page and "活动003" in page and "活动001" not in page
    page = client.get(reverse("activities:list"), {"brand": "silver_glow"}).content.decode()
    assert "活动001" in page and "活动000" not in page
    page = client.get(
        reverse("activities:list"), {"organization": org_tree.branch_b.pk}
    ).content.decode()
    assert "活动000" in page and "活动001" not in page
    page = client.get(
        reverse("activities:list"), {"date_from": "2025-01-03", "date_to": "2025-01-04"}
    ).content.decode()
    assert "活动002" in page and "活动003" in page and "活动001" not in page


def test_ledger_export_is_exactly_the_filtered_list(client, org_tree, staff_user, members_a):
    client.force_login(staff_user)
    made = _activities(org_tree, 6)
    services.attendance_record(
        activity=made[0],
        entries=[(members_a[0].pk, "present", ""), (members_a[1].pk, "excused", "住院")],
        acting_user=system_actor(),
    )
    response = client.get(reverse("activities:export_ledger"), {"joint": "on", "year": 2025})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "活动台账" in rows[0][0]
    assert rows[1][4] == "标题"
    titles = [row[4] for row in rows[2:]]
    assert titles == ["活动000", "活动003"]
    assert rows[2][6] == "教育局离退休干部党支部"
    assert rows[2][10:12] == (2, 1)

    response = client.get(reverse("activities:export_attendance"), {"joint": "on"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [(r[3], r[5], r[6]) for r in rows[2:]] == [
        ("李秀英", "请假", "住院"),
        ("王建国", "出席", None),
    ]


def test_meeting_log_form_saves_held_meeting_with_ticks(
    client, org_tree, members_a, secretary_user
):
    client.force_login(secretary_user)
    page = client.get(reverse("activities:meeting_log")).content.decode()
    assert "王建国" in page and "支委会" in page
    response = client.post(
        reverse("activities:meeting_log"),
        {
            "organization": org_tree.branch_a.pk,
            "type": "committee_meeting",
            "date": "2025-03-31",
            "topic": "学习党章",
            # one list, each member once (#19): present / excused with reason / absent
            f"status_{members_a[0].pk}": "present",
            f"status_{members_a[1].pk}": "present",
            f"status_{members_a[2].pk}": "excused",
            f"reason_{members_a[2].pk}": "身体原因",
            f"status_{members_a[3].pk}": "absent",
        },
        follow=True,
    )
    assert "已记录" in response.content.decode()
    meeting = Activity.objects.get()
    assert meeting.status == "held" and meeting.title == "学习党章"
    assert Attendance.objects.filter(activity=meeting, status="present").count() == 2
    assert Attendance.objects.get(member=members_a[2]).excused_reason == "身体原因"
    assert Attendance.objects.get(member=members_a[3]).status == "absent"


def test_meeting_log_refuses_future_date_and_unknown_status(
    client, org_tree, members_a, secretary_user
):
    client.force_login(secretary_user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("activities:meeting_log"),
        {
            "type": "committee_meeting",
            "date": tomorrow.isoformat(),
            "topic": "学习",
            f"status_{members_a[0].pk}": "present",
            f"status_{members_a[1].pk}": "both",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "未来" in content and "李秀英：请选择出席、请假或缺席" in content
    assert Activity.objects.count() == 0


def test_create_form_refuses_end_before_start_in_chinese(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    response = client.post(
        reverse("activities:create"),
        {
            "type": "culture",
            "title": "书画展",
            "organization": org_tree.branch_a.pk,
            "start": "2025-05-01T10:00",
            "end": "2025-05-01T09:00",
            "status": "planned",
            "outside_participants": 0,
        },
    )
    assert response.status_code == 200
    assert "结束时间不能早于开始时间" in response.content.decode()
    assert Activity.objects.count() == 0


def test_create_joint_activity_with_co_host_twice_refused(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    data = {
        "type": "theme_day",
        "title": "联办主题党日",
        "organization": org_tree.branch_a.pk,
        "start": "2025-05-01T09:00",
        "end": "2025-05-01T11:00",
        "status": "held",
        "outside_participants": 3,
        "co_hosts": [org_tree.branch_a.pk],
    }
    response = client.post(reverse("activities:create"), data)
    assert "牵头组织已是主办方" in response.content.decode()
    assert Activity.objects.count() == 0
    data["co_hosts"] = [org_tree.branch_b.pk]
    response = client.post(reverse("activities:create"), data, follow=True)
    activity = Activity.objects.get()
    # Another branch named as co-host is asked first: joint once its secretary accepts.
    assert not activity.is_joint
    assert activity.host_links.get(organization=org_tree.branch_b).state == "requested"
    assert "教育局离退休干部党支部" in response.content.decode()


def _room(org_tree, capacity=30):

    venue = Venue.objects.create(name="银川市老年人党群活动服务中心", owner=org_tree.branch_a)
    return Room.objects.create(
        venue=venue, name="多功能会议室", type="meeting", capacity=capacity, needs_approval=False
    )


def test_create_with_room_booking_in_one_step(client, org_tree, secretary_user):
    room = _room(org_tree, capacity=30)
    client.force_login(secretary_user)
    start = timezone.localtime() + datetime.timedelta(days=7)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    data = {
        "type": "party_lecture",
        "title": "专题党课",
        "organization": org_tree.branch_a.pk,
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "status": "planned",
        "outside_participants": 0,
        "room": room.pk,
        "expected_attendees": 80,
    }
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert "容纳" in response.content.decode() or "30" in response.content.decode()
    assert Activity.objects.count() == 0  # booking refused → nothing saved
    data["expected_attendees"] = 20
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.booking is not None and activity.booking.room == room
    assert activity.place_text


def test_attachment_upload_refuses_exe_renamed_jpg(
    client, org_tree, secretary_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    activity = _activities(org_tree, 1)[0]
    client.force_login(secretary_user)
    url = reverse("activities:attach", args=[activity.pk])
    response = client.post(
        url, {"file": SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100)}, follow=True
    )
    assert "只能上传" in response.content.decode()
    assert Attachment.objects.count() == 0
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    response = client.post(url, {"file": SimpleUploadedFile("合影.jpg", jpeg)}, follow=True)
    assert "合影.jpg" in response.content.decode()
    attachment = Attachment.objects.get()
    download = client.get(reverse("activities:attachment", args=[attachment.pk]))
    assert download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content) == jpeg


def test_attendance_page_marks_whole_list(client, org_tree, members_a, secretary_user):
    activity = _activities(org_tree, 1)[0]
    client.force_login(secretary_user)
    url = reverse("activities:attendance", args=[activity.pk])
    assert "刘玉兰" in client.get(url).content.decode()
    data = {f"status_{m.pk}": "present" for m in members_a}
    data[f"status_{members_a[1].pk}"] = "excused"
    data[f"reason_{members_a[1].pk}"] = "住院"
    response = client.post(url, data, follow=True)
    content = response.content.decode()
    assert "出席 3 人" in content and "参与率" in content and "100.0%" in content
    sheet = client.get(reverse("activities:attendance_export", args=[activity.pk]))
    rows = list(
        load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert "出勤表" in rows[0][0] and rows[1][3] == "党员"
    assert sorted((r[3], r[5]) for r in rows[2:]) == sorted(
        [(m.name, "请假" if m == members_a[1] else "出席") for m in members_a]
    )


def test_organization_page_shows_activities_section(client, org_tree, frequencies, staff_user):
    _activities(org_tree, 2)
    client.force_login(staff_user)
    response = client.get(reverse("branches:detail", args=[org_tree.branch_a.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "近期活动" in content and "活动001" in content


def test_volunteer_hours_ledger(client, org_tree, members_a, staff_user):
    activity = services.activity_create(
        type="volunteering",
        organization=org_tree.branch_a,
        title="社区义诊",
        start=at(2025, 9, 9),
        end=at(2025, 9, 9, 12),
        status="held",
        acting_user=system_actor(),
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("activities:hours", args=[activity.pk]),
        {f"hours_{members_a[0].pk}": "3.5", f"hours_{members_a[1].pk}": "abc"},
    )
    assert "2.5" in response.content.decode() or "数字" in response.content.decode()
    response = client.post(
        reverse("activities:hours", args=[activity.pk]), {f"hours_{members_a[0].pk}": "3.5"}
    )
    assert response.status_code == 302
    page = client.get(reverse("activities:volunteer_hours"), {"year": 2025}).content.decode()
    assert "王建国" in page and "3.5" in page


def test_required_frequency_editing_by_staff(client, frequencies, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("activities:requirements"))
    formset = response.context["formset"]
    data = {
        "form-TOTAL_FORMS": str(len(formset.forms)),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, form in enumerate(formset.forms):
        instance = form.instance
        data[f"form-{i}-times"] = "1"  # what the browser posts for the empty extra row
        if instance.pk:
            data[f"form-{i}-id"] = str(instance.pk)
            data[f"form-{i}-organization_kind"] = instance.organization_kind
            data[f"form-{i}-activity_type"] = instance.activity_type
            data[f"form-{i}-period"] = instance.period
            data[f"form-{i}-times"] = (
                "2"
                if instance.activity_type == "party_lecture"
                and instance.organization_kind == "branch"
                else str(instance.times)
            )
    response = client.post(reverse("activities:requirements"), data)
    assert response.status_code == 302, (
        response.context["formset"].errors,
        response.context["formset"].non_form_errors(),
    )
    assert (
        RequiredFrequency.objects.get(
            organization_kind="branch", activity_type="party_lecture"
        ).times
        == 2
    )


def test_contest_and_lecture_pages(client, org_tree, members_a, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("activities:contests"),
        {"title": "2025年微党课评选", "year": 2025, "organization": org_tree.joint.pk},
    )
    assert response.status_code == 302
    contest_url = response["Location"]
    client.post(contest_url, {"member": members_a[0].pk, "title": "初心如磐"})
    entry = members_a[0].contest_entries.get()
    client.post(contest_url, {"entry": entry.pk, "judge": "评委甲", "score": "95"})
    response = client.post(contest_url, {"entry": entry.pk, "judge": "评委乙", "score": "120"})
    assert response.status_code == 200  # refused in the form
    page = client.get(contest_url).content.decode()
    assert "初心如磐" in page and "95.00" in page
    response = client.post(
        reverse("activities:lectures"),
        {
            "name": "宁夏首府桑榆红宣讲团",
            "campaign": "百名老党员·讲百场初心故事",
            "target_lecturers": 100,
            "target_lectures": 100,
            "members": [m.pk for m in members_a],
        },
    )
    assert response.status_code == 302
    assert "4 / 100" in client.get(reverse("activities:lectures")).content.decode()


def test_make_member_helper_scope(org_tree, staff_user):
    member = make_member(org_tree.branch_b, "赵", acting_user=staff_user)
    assert member.organization == org_tree.branch_b
