import datetime

import pytest
from django.core.exceptions import ValidationError

from branches import services
from branches.models import CommitteeTerm, Organization
from core.actors import system_actor
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_create_sets_materialized_path_and_depth(org_tree):
    t = org_tree
    assert t.committee.path == f"{t.committee.pk:08d}/"
    assert t.committee.depth == 0
    assert (
        t.group_a1.path
        == f"{t.committee.pk:08d}/{t.joint.pk:08d}/{t.branch_a.pk:08d}/{t.group_a1.pk:08d}/"
    )
    assert t.group_a1.depth == 3


def test_party_group_contains_nothing(org_tree):
    with pytest.raises(ValidationError) as info:
        make_org(
            name="小组下的支部",
            kind="branch",
            category="established",
            parent=org_tree.group_a1,
        )
    assert "parent" in info.value.message_dict
    assert not Organization.objects.filter(name="小组下的支部").exists()


def test_three_affinity_branch_needs_affinity(org_tree):
    with pytest.raises(ValidationError) as info:
        make_org(name="无缘支部", kind="branch", category="three_affinity", parent=org_tree.joint)
    assert "affinity" in info.value.message_dict


def test_duplicate_name_under_same_parent(org_tree):
    with pytest.raises(ValidationError) as info:
        make_org(
            name="书画功能党小组",
            kind="party_group",
            category="three_affinity",
            affinity="interest",
            parent=org_tree.branch_a,
        )
    assert "name" in info.value.message_dict
    # the same name under another parent is fine
    make_org(
        name="书画功能党小组",
        kind="party_group",
        category="established",
        parent=org_tree.branch_b,
    )


def test_moving_reparents_the_whole_subtree(org_tree):
    t = org_tree
    services.organization_update(
        organization=t.branch_a, acting_user=system_actor(), parent=t.committee
    )
    t.branch_a.refresh_from_db()
    t.group_a1.refresh_from_db()
    assert t.branch_a.path == f"{t.committee.pk:08d}/{t.branch_a.pk:08d}/"
    assert t.branch_a.depth == 1
    assert t.group_a1.path == t.branch_a.path + f"{t.group_a1.pk:08d}/"
    assert t.group_a1.depth == 2
    assert Organization.objects.filter(path__startswith=t.joint.path).count() == 1


def test_cycle_is_refused(org_tree):
    t = org_tree
    general = make_org(
        name="总支", kind="general_branch", category="three_affinity", parent=t.joint
    )
    with pytest.raises(ValidationError) as info:
        services.organization_update(
            organization=t.joint, acting_user=system_actor(), parent=general
        )
    assert "parent" in info.value.message_dict
    t.joint.refresh_from_db()
    assert t.joint.parent_id == t.committee.pk


def test_dissolve_refused_with_active_children_then_allowed(org_tree):
    t = org_tree
    day = datetime.date(2026, 11, 1)
    with pytest.raises(ValidationError):
        services.organization_dissolve(
            organization=t.branch_a, acting_user=system_actor(), dissolved_on=day
        )
    services.organization_dissolve(
        organization=t.group_a1, acting_user=system_actor(), dissolved_on=day
    )
    services.organization_dissolve(
        organization=t.branch_a, acting_user=system_actor(), dissolved_on=day
    )
    t.branch_a.refresh_from_db()
    assert t.branch_a.status == "dissolved"
    assert Organization.objects.filter(pk=t.branch_a.pk).exists()  # never deleted


def test_term_defaults_to_three_years_and_five_for_community(org_tree):
    term = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2024, 3, 1),
    )
    assert term.ends_on == datetime.date(2027, 3, 1)
    community_org = make_org(name="阅海万家社区党委", kind="community_org")
    term = services.committee_term_start(
        organization=community_org, acting_user=system_actor(), started_on=datetime.date(2024, 3, 1)
    )
    assert term.ends_on == datetime.date(2029, 3, 1)


def test_term_ending_before_start_names_the_field(org_tree):
    with pytest.raises(ValidationError) as info:
        services.committee_term_start(
            organization=org_tree.branch_a,
            acting_user=system_actor(),
            started_on=datetime.date(2024, 3, 1),
            ends_on=datetime.date(2024, 1, 1),
        )
    assert "ends_on" in info.value.message_dict
    assert not CommitteeTerm.objects.exists()


def test_new_term_replaces_current(org_tree):
    first = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2020, 3, 1),
    )
    second = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2023, 3, 1),
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current


def test_extension_over_one_year_is_refused(org_tree):
    term = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2023, 3, 1),
    )
    with pytest.raises(ValidationError) as info:
        services.committee_term_update(
            term=term,
            acting_user=system_actor(),
            extended_until=datetime.date(2027, 6, 1),
            extension_reason="换届推迟",
        )
    assert "extended_until" in info.value.message_dict
    term.refresh_from_db()
    assert term.extended_until is None
    services.committee_term_update(
        term=term,
        acting_user=system_actor(),
        extended_until=datetime.date(2026, 12, 1),
        extension_reason="换届推迟",
    )
    term.refresh_from_db()
    assert term.extended_until == datetime.date(2026, 12, 1)


def test_extension_needs_reason(org_tree):
    term = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2023, 3, 1),
    )
    with pytest.raises(ValidationError) as info:
        services.committee_term_update(
            term=term, acting_user=system_actor(), extended_until=datetime.date(2026, 6, 1)
        )
    assert "extension_reason" in info.value.message_dict
