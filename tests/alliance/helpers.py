"""Test data for community coordination (tests/alliance/), built through
the services of each app. Each test module turns `build_world` into a `world` fixture."""

from __future__ import annotations

import datetime
import itertools
from types import SimpleNamespace

from django.utils import timezone

from alliance.services import (
    mediation_case_record,
    need_claim,
    need_post,
    resource_post,
    rota_shift_add,
    studio_create,
)
from branches.models import Community
from core.models import User
from members.identity import make_id_number
from members.models import SKILLS, Skill
from members.services import member_create
from tests.factories import make_org, make_user

_sequence = itertools.count(1)

# What a mediation case holds that only bureau staff and the studio's side may ever read.
SECRET_PARTIES = "3号楼张秘密与4号楼李隐私"
SECRET_SUMMARY = "楼上漏水纠纷的细节记录"

# The roles of the pages' tables; "other_secretary" is branch B's, never party to the world's
# claim; "studio_secretary" keeps the mediation studio.
ROLES = ["anonymous", "staff", "secretary", "other_secretary", "liaison", "supervisor", "viewer"]


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def make_member(organization, name: str, *, skills=(), community=None, **fields):

    born = fields.pop("birth_date", datetime.date(1952, 5, 1))
    gender = fields.pop("gender", "male")
    if community is not None:
        fields["registered_community"] = community
        fields.setdefault("registered_on", datetime.date(2022, 3, 1))
    return member_create(
        acting_user=_keeper(),
        organization=organization,
        name=name,
        gender=gender,
        birth_date=born,
        id_number=make_id_number("640106", born, next(_sequence) % 500, gender),
        skills=list(skills),
        **fields,
    )


def _keeper():

    keeper = User.objects.filter(username="records_keeper").first()
    return keeper or make_user("records_keeper", role="staff")


def ensure_skills() -> None:
    for name, _label in SKILLS:
        Skill.objects.get_or_create(name=name)


def build_world(org_tree, liaison_user) -> SimpleNamespace:
    """The community party organization of 阅海万家社区 (the liaison's), a legal department's
    branch hosting a mediation studio, its secretary, and members with skills."""

    ensure_skills()
    community = org_tree.community
    community_org = make_org(
        name="阅海万家社区党委",
        kind="community_org",
        district=org_tree.district,
        community=community,
    )
    legal_branch = make_org(
        name="司法局离退休干部党支部",
        kind="branch",
        category="established",
        parent=org_tree.committee,
    )
    studio_secretary = make_user("studio_secretary", role="secretary", organization=legal_branch)
    same_street = Community.objects.filter(street=community.street).exclude(pk=community.pk)[0]
    same_district = (
        Community.objects.filter(district=community.district)
        .exclude(street=community.street)
        .order_by("name")[0]
    )
    far_away = Community.objects.exclude(district=community.district).order_by("name")[0]
    return SimpleNamespace(
        tree=org_tree,
        community=community,
        community_org=community_org,
        legal_branch=legal_branch,
        studio_secretary=studio_secretary,
        liaison=liaison_user,
        same_street=same_street,
        same_district=same_district,
        far_away=far_away,
    )


def build_coordination_world(
    org_tree, *, liaison, staff, secretary, other_secretary, supervisor, viewer
) -> SimpleNamespace:
    """`build_world` with every role's user and one of each coordination object: a need
    (posted by the liaison's community) claimed by branch A, a resource offered by branch A,
    a mediation studio hosted by the legal branch with a shift and a case."""

    world = build_world(org_tree, liaison)
    world.staff = staff
    world.secretary = secretary
    world.other_secretary = other_secretary
    world.supervisor = supervisor
    world.viewer = viewer
    world.need = need_post(
        acting_user=liaison, title="重阳节文艺演出", category="culture", wanted_by=days(20)
    )
    world.claim = need_claim(need=world.need, organization=org_tree.branch_a, acting_user=secretary)
    world.resource = resource_post(
        acting_user=secretary,
        organization=org_tree.branch_a,
        title="法律咨询进社区",
        category="mediation",
        available_from=days(0),
        available_until=days(90),
        capacity=3,
    )
    world.studio = studio_create(
        acting_user=staff,
        community=world.community,
        name="老王说和室",
        host_organization=world.legal_branch,
    )
    mediator = make_member(world.legal_branch, "王法明", skills=["调解"])
    rota_shift_add(studio=world.studio, member=mediator, date=days(1), acting_user=staff)
    world.case = mediation_case_record(
        studio=world.studio,
        acting_user=world.studio_secretary,
        date=days(-3),
        kind="neighbours",
        parties=SECRET_PARTIES,
        summary=SECRET_SUMMARY,
        outcome="resolved",
        mediators=[mediator],
    )
    return world


def user_of(world, role: str):
    """The world's user for a role of the tables (None for the anonymous visitor)."""
    return None if role == "anonymous" else getattr(world, role)
