"""Talent matching: who is suggested for a need, in which order, and why."""

from __future__ import annotations

import pytest
from django.utils import translation

from alliance.selectors import suggest_members
from alliance.services import need_post
from members.models import Skill
from tests.alliance.helpers import build_world, days, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_tree, liaison_user):
    world = build_world(org_tree, liaison_user)
    a, b = org_tree.branch_a, org_tree.branch_b
    here, street, district = world.community, world.same_street, world.same_district
    world.first = make_member(
        a, "赵一", skills=["宣讲", "调解"], community=here, willing_to_volunteer=True
    )
    world.second = make_member(
        a, "钱二", skills=["宣讲"], community=here, willing_to_volunteer=True, health="fair"
    )
    world.second_good = make_member(
        a, "陈二", skills=["调解"], community=here, willing_to_volunteer=True
    )
    world.third = make_member(
        a, "孙三", skills=["调解", "宣讲"], community=street, willing_to_volunteer=True
    )
    world.fourth = make_member(
        a, "李四", skills=["宣讲"], community=district, willing_to_volunteer=True
    )
    world.unwilling = make_member(
        a, "周五", skills=["宣讲"], community=here, willing_to_volunteer=False
    )
    world.unfit = make_member(
        a, "吴六", skills=["宣讲"], community=here, willing_to_volunteer=True, health="limited"
    )
    world.far = make_member(
        a, "郑七", skills=["宣讲"], community=world.far_away, willing_to_volunteer=True
    )
    world.unskilled = make_member(
        a, "王八", skills=["书画"], community=here, willing_to_volunteer=True
    )
    world.other_branch = make_member(
        b, "冯九", skills=["宣讲"], community=here, willing_to_volunteer=True
    )
    return world


def need(world, category="volunteering"):
    return need_post(
        acting_user=world.liaison,
        title="社区志愿讲解",
        category=category,
        wanted_by=days(10),
        skills=Skill.objects.filter(name__in=["宣讲", "调解"]),
    )


def names(suggestions):
    return [s.member.name for s in suggestions]


def test_staff_get_the_right_members_in_the_right_order(world, staff_user):
    suggestions = suggest_members(staff_user, need(world))
    # Same community first (two skills, then one skill with good health, then fair health),
    # then the same street, then the same district.
    assert names(suggestions) == ["赵一", "冯九", "陈二", "钱二", "孙三", "李四"]


def test_unwilling_unfit_far_and_unskilled_are_excluded(world, staff_user):
    found = set(names(suggest_members(staff_user, need(world))))
    assert not found & {"周五", "吴六", "郑七", "王八"}


def test_limited_mobility_allowed_for_seated_work(world, staff_user):
    assert "吴六" in names(suggest_members(staff_user, need(world, category="lecture")))


def test_each_suggestion_gives_its_reason(world, staff_user):
    with translation.override("zh-hans"):
        suggestions = suggest_members(staff_user, need(world))
    first, third = suggestions[0], suggestions[4]
    assert first.matched_skills == ("宣讲", "调解")
    assert "宣讲、调解" in first.reason
    assert "阅海万家社区" in first.reason
    assert third.member.name == "孙三"
    assert world.same_street.name in third.reason
    assert third.nearness == 1


def test_secretary_sees_only_their_own_members(world, secretary_user, other_secretary):
    item = need(world)
    assert "冯九" not in names(suggest_members(secretary_user, item))
    assert names(suggest_members(other_secretary, item)) == ["冯九"]


def test_matching_is_a_fixed_number_of_queries(world, staff_user, django_assert_max_num_queries):
    item = need(world)
    with django_assert_max_num_queries(4):
        suggestions = suggest_members(staff_user, item)
        [s.reason for s in suggestions]
