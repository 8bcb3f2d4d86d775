"""三会一课 due this month and overdue, from the required frequencies (compliance rules)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from activities.models import ActivityStatus, ActivityType
from activities.reminders import meetings_due, meetings_overdue
from activities.services import activity_create

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


def held(org, type_, day, user):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return activity_create(
        type=type_,
        organization=org,
        title="会议",
        start=start,
        end=start + datetime.timedelta(hours=2),
        status=ActivityStatus.HELD,
        acting_user=user,
    )


def by_org(reminders, org):
    return [r for r in reminders if r.url == f"/activities/compliance/{org.pk}/"]


def test_due_this_month_lists_what_is_not_yet_held(org_tree, secretary_user):
    held(org_tree.branch_a, ActivityType.THEME_DAY, datetime.date(2026, 3, 2), secretary_user)
    (reminder,) = by_org(meetings_due(TODAY), org_tree.branch_a)
    assert reminder.recipients == [secretary_user]
    assert org_tree.branch_a.name in reminder.title
    assert "支委会" in reminder.title  # monthly, not held in March
    assert "党课" in reminder.title  # quarterly: Q1 ends this month
    assert "主题党日" not in reminder.title  # held this month
    assert "组织生活会" not in reminder.title  # yearly: not due in March
    assert reminder.key == f"meetings-due:{org_tree.branch_a.pk}:2026-03"


def test_overdue_names_the_missed_types_once_a_month(org_tree, secretary_user):
    for day in (datetime.date(2026, 1, 5), datetime.date(2026, 2, 5)):
        held(org_tree.branch_a, ActivityType.COMMITTEE_MEETING, day, secretary_user)
    (reminder,) = by_org(meetings_overdue(TODAY), org_tree.branch_a)
    assert "主题党日" in reminder.title and "支委会" not in reminder.title
    assert reminder.key == f"meetings-overdue:{org_tree.branch_a.pk}:2026-03"
    (april,) = by_org(meetings_overdue(datetime.date(2026, 4, 2)), org_tree.branch_a)
    assert april.key != reminder.key and "支委会" in april.title  # March was missed


def test_a_party_group_without_account_reaches_its_branch_secretary(org_tree, secretary_user):
    (reminder,) = by_org(meetings_due(TODAY), org_tree.group_a1)
    assert reminder.recipients == [secretary_user]
    assert "党小组会" in reminder.title
