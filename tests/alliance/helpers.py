"""Test data for community coordination (tests/alliance/), built through
the services of each app. Each test module turns `build_world` into a `world` fixture."""

from __future__ import annotations

import datetime
import itertools
from types import SimpleNamespace

from django.utils import timezone

from branches.models import Community
from core.models import User
from members.identity import make_id_number
from members.models import SKILLS, Skill
from members.services import member_create
from tests.factories import make_org, make_user

_sequence = itertools.count(1)


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
