"""Services and selectors: compliance across period boundaries, rates, bad input refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import selectors, services
from activities.models import (
    Activity,
    ActivityHost,
    Attachment,
    Attendance,
    Contest,
    ContestEntry,
    VolunteerHours,
)
from activities.services import ActivityError
from core.actors import system_actor
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


def _meeting(org, when, *, status="held", type="committee_meeting", user=None, co_hosts=()):
    return services.activity_create(
        type=type,
        organization=org,
        title="支委会",
        start=when,
        end=when + datetime.timedelta(hours=1),
        acting_user=user or system_actor(),
        status=status,
        co_hosts=co_hosts,
    )


def _row(rows, activity_type, key):
    return next(r for r in rows if r.activity_type == activity_type and r.period.key == key)


def test_meeting_late_on_31_march_counts_for_q1_not_q2(org_tree, frequencies):
    branch = org_tree.branch_a
    # 23:30 local on 31 March is 15:30 UTC: still Q1 in Asia/Shanghai.
    _meeting(branch, at(2025, 3, 31, 23, 30), type="general_meeting")
    # 00:30 local on 1 April is 31 March in UTC: Q2 locally.
    _meeting(branch, at(2025, 4, 1, 0, 30), type="party_lecture")
    rows = selectors.compliance(organization=branch, year=2025)
    assert _row(rows, "general_meeting", "Q1").held == 1
    assert _row(rows, "general_meeting", "Q2").held == 0
    assert _row(rows, "party_lecture", "Q1").held == 0
    assert _row(rows, "party_lecture", "Q2").held == 1
    only_q1 = selectors.compliance(organization=branch, year=2025, period="Q1")
    assert {r.period.key for r in only_q1} == {"Q1", "M01", "M02", "M03", "Y"}


def test_planned_and_cancelled_meetings_do_not_count(org_tree, frequencies):
    branch = org_tree.branch_a
    _meeting(branch, at(2025, 5, 10), status="planned")
    cancelled = _meeting(branch, at(2025, 5, 12), status="planned")
    services.activity_cancel(activity=cancelled, acting_user=system_actor())
    rows = selectors.compliance(organization=branch, year=2025)
    assert _row(rows, "committee_meeting", "M05").held == 0
    _meeting(branch, at(2025, 5, 20))
    rows = selectors.compliance(organization=branch, year=2025)
    assert _row(rows, "committee_meeting", "M05").held == 1
    assert _row(rows, "committee_meeting", "M05").met


def test_co_host_meeting_counts_for_both_hosts_and_joint_count(org_tree, frequencies):
    _meeting(org_tree.branch_a, at(2025, 7, 1), type="theme_day", co_hosts=[org_tree.branch_b])
    _meeting(org_tree.branch_a, at(2025, 7, 2), type="theme_day")
    for branch in (org_tree.branch_a, org_tree.branch_b):
        assert selectors.meetings_held(branch, 2025, "theme_day") == (
            2 if branch == org_tree.branch_a else 1
        )
    assert selectors.joint_activity_count(year=2025) == 1
    assert selectors.joint_activity_count(year=2025, organization=org_tree.branch_b) == 1
    assert selectors.joint_activity_count(year=2024) == 0


def test_overdue_list_names_the_branch_behind(org_tree, frequencies, secretary_user, staff_user):
    for month in range(1, 11):
        _meeting(org_tree.branch_a, at(2025, month, 5))
    overdue = selectors.overdue_compliance(staff_user, datetime.date(2025, 11, 15))
    a_committee = [
        i
        for i in overdue
        if i.organization == org_tree.branch_a and i.activity_type == "committee_meeting"
    ]
    assert a_committee == []  # January to October held, November not over yet
    b_committee = [
        i
        for i in overdue
        if i.organization == org_tree.branch_b and i.activity_type == "committee_meeting"
    ]
    assert len(b_committee) == 10
    # A secretary sees only their own subtree's gaps.
    mine = selectors.overdue_compliance(secretary_user, datetime.date(2025, 11, 15))
    assert {i.organization for i in mine} <= {org_tree.branch_a, org_tree.group_a1}
    assert any(i.organization == org_tree.branch_a for i in mine)


def test_the_city_wide_overdue_list_is_cached_until_an_activity_commits(
    org_tree, frequencies, staff_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Staff's overdue list (every organization's year: seconds at province scale) is read once
    per change: a meeting logged and committed drops it, an uncommitted one does not."""
    as_of = datetime.date(2025, 11, 15)

    def b_committee_gaps():
        return [
            i
            for i in selectors.overdue_compliance(staff_user, as_of)
            if i.organization == org_tree.branch_b and i.activity_type == "committee_meeting"
        ]

    assert len(b_committee_gaps()) == 10
    with django_assert_num_queries(0):
        assert len(b_committee_gaps()) == 10
    with django_capture_on_commit_callbacks(execute=True):  # the block's end: the commit
        _meeting(org_tree.branch_b, at(2025, 3, 5))
    assert len(b_committee_gaps()) == 9  # March is no longer a gap


def test_participation_rate_excused_shown_separately(org_tree, members_a, staff_user):
    meeting = _meeting(org_tree.branch_a, at(2025, 6, 3))
    present, excused, absent, also_present = members_a
    services.attendance_record(
        activity=meeting,
        entries=[
            (present.pk, "present", ""),
            (excused.pk, "excused", "住院"),
            (absent.pk, "absent", ""),
            (also_present.pk, "present", ""),
        ],
        acting_user=staff_user,
    )
    rate = selectors.participation_rate(
        organization=org_tree.branch_a,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    assert (rate.expected, rate.present, rate.excused, rate.absent) == (4, 2, 1, 1)
    assert rate.rate == pytest.approx(2 / 3)
    member_rate = selectors.participation_rate(
        member=excused, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    assert member_rate.rate is None and member_rate.excused == 1
    assert Attendance.objects.get(member=excused).excused_reason == "住院"
    outside = selectors.participation_rate(
        organization=org_tree.branch_a,
        start=datetime.date(2025, 7, 1),
        end=datetime.date(2025, 7, 31),
    )
    assert outside.expected == 0 and outside.rate is None


def test_attendance_for_a_non_participant_is_refused_and_nothing_saved(
    org_tree, members_a, members_b, staff_user
):
    meeting = _meeting(org_tree.branch_a, at(2025, 6, 3))
    with pytest.raises(ActivityError, match="只能为主办组织的党员"):
        services.attendance_record(
            activity=meeting,
            entries={members_a[0].pk: "present", members_b[0].pk: "present"},
            acting_user=staff_user,
        )
    assert Attendance.objects.count() == 0


def test_meeting_log_creates_held_meeting_with_attendance(org_tree, members_a, secretary_user):
    meeting = services.meeting_log(
        organization=org_tree.branch_a,
        type="committee_meeting",
        date=datetime.date(2025, 3, 31),
        topic="学习二十届四中全会精神",
        present_ids=[members_a[0].pk, members_a[1].pk],
        excused={members_a[2].pk: "身体原因"},
        acting_user=secretary_user,
    )
    assert meeting.status == "held"
    statuses = dict(Attendance.objects.filter(activity=meeting).values_list("member_id", "status"))
    assert statuses == {
        members_a[0].pk: "present",
        members_a[1].pk: "present",
        members_a[2].pk: "excused",
        members_a[3].pk: "absent",
    }


def test_meeting_log_for_a_member_of_another_branch_saves_nothing(
    org_tree, members_a, members_b, secretary_user
):
    with pytest.raises(ActivityError):
        services.meeting_log(
            organization=org_tree.branch_a,
            type="committee_meeting",
            date=datetime.date(2025, 3, 31),
            topic="学习",
            present_ids=[members_b[0].pk],
            acting_user=secretary_user,
        )
    assert Activity.objects.count() == 0


def test_secretary_cannot_log_for_another_branch(org_tree, secretary_user):
    with pytest.raises(ActivityError):
        _meeting(org_tree.branch_b, at(2025, 3, 1), user=secretary_user)
    assert Activity.objects.count() == 0


def test_co_hosted_twice_is_refused(org_tree):
    with pytest.raises(ActivityError, match="不能重复主办"):
        _meeting(org_tree.branch_a, at(2025, 3, 1), co_hosts=[org_tree.branch_b, org_tree.branch_b])
    with pytest.raises(ActivityError, match="不能重复主办"):
        _meeting(org_tree.branch_a, at(2025, 3, 1), co_hosts=[org_tree.branch_a])
    assert Activity.objects.count() == 0 and ActivityHost.objects.count() == 0


def test_end_before_start_is_refused(org_tree):
    with pytest.raises(ActivityError):
        services.activity_create(
            type="culture",
            organization=org_tree.branch_a,
            title="红歌会",
            start=at(2025, 3, 1, 10),
            end=at(2025, 3, 1, 9),
            acting_user=system_actor(),
        )
    assert Activity.objects.count() == 0


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_attachments_checked_by_content(org_tree, media):
    activity = _meeting(org_tree.branch_a, at(2025, 3, 1))
    photo = services.attachment_add(
        activity=activity, upload=SimpleUploadedFile("合影.png", PNG), acting_user=system_actor()
    )
    assert photo.content_type == "image/png" and photo.file.name.endswith(".png")
    with photo.file.open("rb") as stored:
        assert stored.read() == PNG
    pdf = services.attachment_add(
        activity=activity, upload=SimpleUploadedFile("纪要.pdf", PDF), acting_user=system_actor()
    )
    assert pdf.content_type == "application/pdf"
    with pytest.raises(ActivityError, match="PDF 文件"):
        services.attachment_add(
            activity=activity,
            upload=SimpleUploadedFile("photo.jpg", EXE),
            acting_user=system_actor(),
        )
    assert Attachment.objects.count() == 2


def test_attachment_over_10_mb_is_refused(org_tree, media):
    activity = _meeting(org_tree.branch_a, at(2025, 3, 1))
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ActivityError, match="超过 10 MB"):
        services.attachment_add(activity=activity, upload=big, acting_user=system_actor())
    assert Attachment.objects.count() == 0
    assert not any(media.rglob("*.pdf"))


def test_volunteer_hours_into_ledger(org_tree, members_a, members_b, staff_user):
    activity = _meeting(org_tree.branch_a, at(2025, 9, 9), type="volunteering")
    services.volunteer_hours_record(
        activity=activity,
        hours={members_a[0].pk: "2.5", members_a[1].pk: 3},
        acting_user=staff_user,
    )
    assert sorted(VolunteerHours.objects.values_list("hours", flat=True)) == [2.5, 3]
    with pytest.raises(ActivityError):
        services.volunteer_hours_record(
            activity=activity, hours={members_b[0].pk: 1}, acting_user=staff_user
        )
    with pytest.raises(ActivityError):
        services.volunteer_hours_record(
            activity=activity, hours={members_a[2].pk: 0}, acting_user=staff_user
        )
    assert VolunteerHours.objects.count() == 2


def test_contest_ranking(org_tree, members_a, staff_user):
    contest = Contest.objects.create(title="微党课评选", year=2025, organization=org_tree.joint)
    first = ContestEntry.objects.create(contest=contest, member=members_a[0], title="初心")
    second = ContestEntry.objects.create(contest=contest, member=members_a[1], title="使命")
    for judge, a, b in (("甲", 90, 80), ("乙", 94, 85)):
        services.judge_score_record(entry=first, judge=judge, score=a, acting_user=staff_user)
        services.judge_score_record(entry=second, judge=judge, score=b, acting_user=staff_user)
    ranking = selectors.contest_ranking(contest)
    assert [e.pk for e in ranking] == [first.pk, second.pk]
    assert float(ranking[0].average) == pytest.approx(92)
    with pytest.raises(ActivityError):
        services.judge_score_record(entry=first, judge="丙", score=101, acting_user=staff_user)
