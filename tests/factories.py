"""Test data built through the same code paths the portal uses."""

from __future__ import annotations

from types import SimpleNamespace

from branches.models import Community, District
from branches.reference import load_reference_data
from branches.services import organization_create
from core.actors import system_actor
from core.models import User

TEST_PASSWORD = "pw-for-tests"


def make_user(username: str, *, role: str, password: str = TEST_PASSWORD, **fields) -> User:
    user = User(username=username, role=role, full_name=fields.pop("full_name", username), **fields)
    user.set_password(password)
    user.save()
    return user


def make_org(**fields):
    """Create an organization through the branches service."""
    return organization_create(acting_user=system_actor(), **fields)


def make_org_tree() -> SimpleNamespace:
    load_reference_data()  # transactional (browser) tests flush what the data migration wrote
    district = District.objects.get(name="金凤区")
    community = Community.objects.get(name="阅海万家社区")
    committee = make_org(name="离退休干部（老龄）工委", kind="working_committee")
    joint = make_org(
        name="三缘型联合党委",
        kind="joint_committee",
        category="three_affinity",
        affinity="residence",
        parent=committee,
    )
    branch_a = make_org(
        name="阅海万家地缘党支部",
        kind="branch",
        category="three_affinity",
        affinity="residence",
        parent=joint,
        district=district,
        community=community,
    )
    group_a1 = make_org(
        name="书画功能党小组",
        kind="party_group",
        category="three_affinity",
        affinity="interest",
        parent=branch_a,
    )
    branch_b = make_org(
        name="教育局离退休干部党支部",
        kind="branch",
        category="established",
        parent=committee,
    )
    return SimpleNamespace(
        committee=committee,
        joint=joint,
        branch_a=branch_a,
        group_a1=group_a1,
        branch_b=branch_b,
        district=district,
        community=community,
    )
