"""The compliance board and overdue list, computed from month counts grouped in SQL, agree with
a plain per-organization, per-period count of the held activities (the definition), also on the
path used for thousands of organizations (no id list in the query)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities import selectors, services
from activities.models import Activity, ActivityStatus, ActivityType, RequiredFrequency
from core.actors import system_actor
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db

AS_OF_DAYS = (
    datetime.date(2024, 12, 31),  # nothing begun
    datetime.date(2025, 1, 1),  # January begun, nothing due
    datetime.date(2025, 4, 1),  # Q1 due
    datetime.date(2025, 11, 15),
    datetime.date(2026, 1, 1),  # the whole year due
)


def _meeting(org, when, type, *, status="held", co_hosts=()):
    return services.activity_create(
        type=type,
        organization=org,
        title="会议",
        start=when,
        end=when + datetime.timedelta(hours=1),
        acting_user=system_actor(),
        status=status,
        co_hosts=co_hosts,
    )


@pytest.fixture
def history(org_tree, frequencies):
    a, b, group = org_tree.branch_a, org_tree.branch_b, org_tree.group_a1
    for month in range(1, 12):
        _meeting(a, at(2025, month, 5), "committee_meeting")
        _meeting(a, at(2025, month, 15), "theme_day", co_hosts=[b] if month % 2 else [])
    for month in (1, 2, 4, 7, 8):
        _meeting(b, at(2025, month, 6), "committee_meeting")
        _meeting(group, at(2025, month, 9), "group_meeting")
    # Quarter boundaries in local time: 23:30 on 31 March is Q1, 00:30 on 1 April is Q2.
    _meeting(a, at(2025, 3, 31, 23, 30), "general_meeting")
    _meeting(b, at(2025, 4, 1, 0, 30), "general_meeting")
    _meeting(a, at(2025, 6, 20), "party_lecture")
    _meeting(a, at(2025, 12, 22), "life_meeting")
    _meeting(a, at(2025, 8, 5), "party_lecture", status="planned")  # planned: not counted
    _meeting(b, at(2024, 12, 31, 23, 30), "committee_meeting")  # last year: not counted
    # Two of the same type in one month: 2 held against 1 required.
    _meeting(b, at(2025, 7, 20), "committee_meeting")
    # A requirement of 2 per quarter for branches' party lectures.
    RequiredFrequency.objects.filter(
        organization_kind="branch", activity_type="party_lecture"
    ).update(times=2)
    return [org_tree.committee, org_tree.joint, a, b, group]


def _definition(org, year, as_of):
    """Cells and overdue (type, period key, held) by counting each period's activities."""
    cells, overdue = {}, []
    for item in RequiredFrequency.objects.filter(organization_kind=org.kind).order_by(
        "organization_kind", "activity_type"
    ):
        for span in selectors.periods_of(item.period, year):
            if span.first > as_of:
                continue
            first, last = selectors.local_range(span.first, span.last)
            held = Activity.objects.filter(
                host_links__organization=org,
                type=item.activity_type,
                status=ActivityStatus.HELD,
                start__gte=first,
                start__lt=last,
            ).count()
            h, r = cells.get(item.activity_type, (0, 0))
            cells[item.activity_type] = (h + held, r + item.times)
            if span.last < as_of and held < item.times:
                overdue.append((item.activity_type, span.key, held, item.times))
    return cells, overdue


@pytest.mark.parametrize("as_of", AS_OF_DAYS)
@pytest.mark.parametrize("in_list_limit", [500, 0], ids=["id-list", "many-organizations"])
def test_board_agrees_with_the_definition(history, as_of, in_list_limit, monkeypatch):
    monkeypatch.setattr(selectors, "_IN_LIST_LIMIT", in_list_limit)
    organizations = [o for o in history if o.kind in ("branch", "party_group")]
    types, summaries = selectors.compliance_board(organizations, year=2025, as_of=as_of)
    required = {item.activity_type for item in RequiredFrequency.objects.all()}
    assert types == [t for t, _label in ActivityType.choices if t in required]
    assert [s.organization for s in summaries] == organizations
    for summary in summaries:
        cells, overdue = _definition(summary.organization, 2025, as_of)
        assert summary.cells == cells
        assert [
            (row.activity_type, row.period.key, row.held, row.required) for row in summary.overdue
        ] == overdue
        assert all(row.organization_id == summary.organization.pk for row in summary.overdue)


def test_board_figures_that_the_definition_gives_by_hand(history, org_tree):
    """A few cells read by hand, so that the test does not only compare two computations."""
    as_of = datetime.date(2025, 11, 15)
    _types, (a, b) = selectors.compliance_board(
        [org_tree.branch_a, org_tree.branch_b], year=2025, as_of=as_of
    )
    assert a.cells["committee_meeting"] == (11, 11)
    assert a.cells["theme_day"] == (11, 11)
    assert b.cells["theme_day"] == (6, 11)  # co-hosted in the odd months
    assert b.cells["committee_meeting"] == (6, 11)  # the 2024 one is not counted
    assert a.cells["party_lecture"] == (1, 8)  # 2 a quarter; the planned one not counted
    assert {(r.activity_type, r.period.key) for r in a.overdue} == {
        ("general_meeting", "Q2"),
        ("general_meeting", "Q3"),
        ("party_lecture", "Q1"),
        ("party_lecture", "Q2"),
        ("party_lecture", "Q3"),
    }
    general_b = [r.period.key for r in b.overdue if r.activity_type == "general_meeting"]
    assert general_b == ["Q1", "Q3"]  # the 00:30 1 April meeting counts for Q2


@pytest.mark.parametrize("in_list_limit", [500, 0], ids=["id-list", "many-organizations"])
def test_overdue_list_agrees_with_the_definition(
    history, staff_user, secretary_user, in_list_limit, monkeypatch
):
    monkeypatch.setattr(selectors, "_IN_LIST_LIMIT", in_list_limit)
    as_of = datetime.date(2025, 11, 15)
    for user in (staff_user, secretary_user):
        items = selectors.overdue_compliance(user, as_of)
        organizations = list(selectors._compliance_organizations(user))
        expected = []
        for org in organizations:
            for activity_type, key, held, required in _definition(org, 2025, as_of)[1]:
                span = next(
                    s
                    for kind in ("month", "quarter", "year")
                    for s in selectors.periods_of(kind, 2025)
                    if s.key == key
                )
                if org.founded_on and span.last < org.founded_on:
                    continue
                expected.append((org.path, activity_type, span.last, held, required))
        expected.sort(key=lambda e: e[:3])
        assert [
            (i.organization.path, i.activity_type, i.period_last, i.held, i.required) for i in items
        ] == expected
        assert items, "the hand-built history leaves periods overdue"


def test_board_for_many_organizations_reads_a_fixed_number_of_queries(history, monkeypatch):
    monkeypatch.setattr(selectors, "_IN_LIST_LIMIT", 0)
    organizations = [o for o in history if o.kind in ("branch", "party_group")]
    with CaptureQueriesContext(connection) as few:
        selectors.compliance_board(organizations[:1], year=2025, as_of=datetime.date(2025, 11, 1))
    with CaptureQueriesContext(connection) as many:
        selectors.compliance_board(organizations, year=2025, as_of=datetime.date(2025, 11, 1))
    assert len(few) == len(many) == 2
