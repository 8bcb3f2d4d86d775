import datetime

import pytest

from branches import selectors, services
from branches.models import Organization
from core.actors import system_actor
from core.signals import announce_records_changed
from members.models import Member
from tests.branches.conftest import add_members
from tests.factories import make_org

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


def warnings_of(org):
    row = selectors.with_warnings(Organization.objects.filter(pk=org.pk), TODAY).get()
    assert python_flags(row) == sql_flags(row)  # the page's judgement is the filter's
    return {name for name in selectors.warning_conditions(TODAY) if getattr(row, name)}, row


def sql_flags(row) -> dict[str, bool]:
    # SQL answers NULL (None) where a comparison meets no term: false, as Python says.
    return {
        name: bool(getattr(row, name))
        for name in [*selectors.warning_conditions(TODAY), "needs_attention"]
    }


def python_flags(row) -> dict[str, bool]:
    figures = {name: getattr(row, name) for name in selectors.WARNING_FIGURES}
    return selectors.warning_flags(kind=row.kind, status=row.status, today=TODAY, **figures)


def test_python_and_sql_judge_every_boundary_alike(org_tree):
    """warning_flags (rows on a page) and with_warnings (filters, counts) on the boundaries of
    each rule: term end today, in 90 and 91 days, yesterday; 2/3 and 6/7 full members; 50/51
    members; a dissolved branch; a kind the member rules do not count."""
    cases = {
        "ends today": (4, TODAY),
        "ends in 90 days": (4, TODAY + datetime.timedelta(days=90)),
        "ends in 91 days": (4, TODAY + datetime.timedelta(days=91)),
        "ended yesterday": (4, TODAY - datetime.timedelta(days=1)),
        "2 full": (2, None),
        "3 full": (3, None),
        "6 full": (6, None),
        "7 full": (7, None),
        "51 members": (51, None),
        "50 members": (50, None),
    }
    for name, (members, ends_on) in cases.items():
        org = make_org(name=name, kind="branch", category="established", parent=org_tree.committee)
        add_members(org, members)
        if ends_on is not None:
            term = services.committee_term_start(
                organization=org, acting_user=system_actor(), started_on=datetime.date(2025, 1, 1)
            )
            services.committee_term_update(term=term, acting_user=system_actor(), ends_on=ends_on)
    extended = make_org(
        name="延期换届", kind="branch", category="established", parent=org_tree.committee
    )
    add_members(extended, 8)
    term = services.committee_term_start(
        organization=extended, acting_user=system_actor(), started_on=datetime.date(2023, 6, 1)
    )
    services.committee_term_update(
        term=term,
        acting_user=system_actor(),
        extended_until=datetime.date(2026, 12, 31),
        extension_reason="经批准延期换届",
    )
    services.committee_position_add(
        term=term, acting_user=system_actor(), position="secretary", person_name="王建国"
    )
    dissolved = make_org(
        name="撤销的支部", kind="branch", category="established", parent=org_tree.committee
    )
    Organization.objects.filter(pk=dissolved.pk).update(status="dissolved")
    add_members(dissolved, 1)
    add_members(make_org(name="工作委员会", kind="working_committee"), 1)
    rows = list(selectors.with_warnings(Organization.objects.all(), TODAY))
    assert len(rows) > len(cases) + 2
    judged = {row.name: python_flags(row) for row in rows}
    # The page's figures (three small queries) are the filter's (one grouped join).
    paged = {org.pk: org for org in selectors.with_warnings_for(list(Organization.objects.all()))}
    for row in rows:
        for name in selectors.WARNING_FIGURES:
            assert getattr(paged[row.pk], name) == getattr(row, name), (row.name, name)
    for row in rows:
        assert judged[row.name] == sql_flags(row), row.name
    assert judged["ends today"]["warn_term_ends_soon"]
    assert judged["ends in 90 days"]["warn_term_ends_soon"]
    assert not judged["ends in 91 days"]["warn_term_ends_soon"]
    assert judged["ended yesterday"]["warn_term_overdue"]
    assert judged["2 full"]["warn_too_few_full_members"]
    assert not judged["3 full"]["warn_too_few_full_members"]
    assert judged["7 full"]["warn_no_committee"] and not judged["6 full"]["warn_no_committee"]
    assert judged["51 members"]["warn_too_many_members"]
    assert not judged["50 members"]["warn_too_many_members"]
    assert not judged["撤销的支部"]["needs_attention"]
    assert not judged["工作委员会"]["needs_attention"]
    assert paged[extended.pk].term_end == datetime.date(2026, 12, 31)
    assert paged[extended.pk].has_committee and judged["延期换届"]["warn_term_ends_soon"]


def test_scope_per_role(
    org_tree, staff_user, secretary_user, supervisor_user, viewer_user, liaison_user
):
    every = set(Organization.objects.values_list("pk", flat=True))
    for user in (staff_user, supervisor_user, viewer_user, liaison_user):
        assert set(selectors.organizations_for(user).values_list("pk", flat=True)) == every
    mine = set(selectors.organizations_for(secretary_user).values_list("pk", flat=True))
    assert mine == {org_tree.branch_a.pk, org_tree.group_a1.pk}


def test_get_organization_for_is_404_outside_scope(org_tree, secretary_user):
    from django.http import Http404

    assert selectors.get_organization_for(secretary_user, org_tree.group_a1.pk) == org_tree.group_a1
    with pytest.raises(Http404):
        selectors.get_organization_for(secretary_user, org_tree.branch_b.pk)
    with pytest.raises(Http404):
        selectors.get_organization_for(secretary_user, "abc")


def test_too_few_full_members(org_tree):
    add_members(org_tree.branch_b, 2)
    add_members(org_tree.branch_b, 3, full=False)  # probationary members do not count
    add_members(org_tree.branch_b, 2, status="deceased")
    names, row = warnings_of(org_tree.branch_b)
    assert row.full_member_count == 2 and row.member_count == 5
    assert "warn_too_few_full_members" in names
    add_members(org_tree.branch_b, 1)
    names, _row = warnings_of(org_tree.branch_b)
    assert "warn_too_few_full_members" not in names


def test_seven_full_members_need_a_committee(org_tree):
    add_members(org_tree.branch_b, 7)
    names, _ = warnings_of(org_tree.branch_b)
    assert names == {"warn_no_committee"}
    term = services.committee_term_start(
        organization=org_tree.branch_b,
        acting_user=system_actor(),
        started_on=datetime.date(2025, 1, 1),
    )
    names, _ = warnings_of(org_tree.branch_b)
    assert names == {"warn_no_committee"}  # a term without seats is no committee
    services.committee_position_add(
        term=term, acting_user=system_actor(), position="secretary", person_name="王建国"
    )
    names, _ = warnings_of(org_tree.branch_b)
    assert names == set()


def test_more_than_fifty_members(org_tree):
    add_members(org_tree.branch_b, 51, full=False)
    names, row = warnings_of(org_tree.branch_b)
    assert row.member_count == 51
    assert "warn_too_many_members" in names
    add_members(org_tree.branch_a, 50, full=False)
    names, _ = warnings_of(org_tree.branch_a)
    assert "warn_too_many_members" not in names


def test_term_ends_within_90_days_and_overdue(org_tree):
    add_members(org_tree.branch_b, 4)
    term = services.committee_term_start(
        organization=org_tree.branch_b,
        acting_user=system_actor(),
        started_on=datetime.date(2024, 1, 20),
    )
    names, _ = warnings_of(org_tree.branch_b)
    assert names == {"warn_term_ends_soon"}  # ends 2027-01-20, 54 days away
    services.committee_term_update(
        term=term, acting_user=system_actor(), ends_on=datetime.date(2026, 11, 26)
    )
    names, _ = warnings_of(org_tree.branch_b)
    assert names == {"warn_term_overdue"}
    services.committee_term_update(
        term=term,
        acting_user=system_actor(),
        extended_until=datetime.date(2027, 6, 30),
        extension_reason="经批准延期换届",
    )
    names, row = warnings_of(org_tree.branch_b)
    assert names == set() and row.term_end == datetime.date(2027, 6, 30)


def test_community_term_is_five_years(org_tree):
    org = make_org(name="北关社区党委", kind="community_org")
    services.committee_term_start(
        organization=org, acting_user=system_actor(), started_on=datetime.date(2022, 6, 1)
    )
    names, _ = warnings_of(org)
    assert names == set()  # a branch's 3 years would be overdue; a community's 5 are not


def test_needs_attention_count_is_scoped(
    org_tree, staff_user, secretary_user, django_capture_on_commit_callbacks
):
    add_members(org_tree.branch_b, 1)  # B: too few
    add_members(org_tree.branch_a, 4)  # A: fine
    group_count = selectors.needs_attention_count(secretary_user)
    assert group_count == 0
    assert selectors.needs_attention_count(staff_user) == 1
    # The members' commit (the block's end stands for it) drops the cached city-wide count.
    with django_capture_on_commit_callbacks(execute=True):
        add_members(org_tree.branch_a, 7)
        announce_records_changed(Member)  # bulk_create sends no per-row signal
    assert selectors.needs_attention_count(secretary_user) == 1
    assert selectors.needs_attention_count(staff_user) == 2


def test_the_city_wide_count_is_cached_until_a_write_commits(
    org_tree, staff_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    add_members(org_tree.branch_a, 4)  # A: fine
    add_members(org_tree.branch_b, 1)  # B: too few
    assert selectors.needs_attention_count(staff_user) == 1
    with django_assert_num_queries(0):
        assert selectors.needs_attention_count(staff_user) == 1
    add_members(org_tree.branch_b, 5)  # B: fine now, but not committed (the test's transaction)
    assert selectors.needs_attention_count(staff_user) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the block's end: the commit
        announce_records_changed(Member)  # what a bulk write of members sends (the import)
    assert selectors.needs_attention_count(staff_user) == 0


def test_dissolved_organizations_need_no_attention(org_tree, staff_user):
    services.organization_dissolve(
        organization=org_tree.branch_b, acting_user=system_actor(), dissolved_on=TODAY
    )
    assert selectors.needs_attention_count(staff_user) == 1  # only branch A (no members)
