"""Fixtures of the activities tests: members in branch A and branch B, default frequencies."""

from __future__ import annotations

import datetime
import itertools

import pytest

from activities.services import required_frequencies_ensure_defaults
from members.identity import make_id_number
from members.services import member_create

_sequence = itertools.count(1)


def make_member(organization, name: str, *, acting_user, **fields):
    """A member on the roster, through the members service."""

    born = fields.pop("birth_date", datetime.date(1950, 3, 1))
    gender = fields.pop("gender", "male")
    number = next(_sequence)
    return member_create(
        acting_user=acting_user,
        organization=organization,
        name=name,
        gender=gender,
        birth_date=born,
        id_number=make_id_number("640104", born, number, gender),
        **fields,
    )


@pytest.fixture
def frequencies(db):
    required_frequencies_ensure_defaults()


@pytest.fixture
def members_a(org_tree, staff_user):
    return [
        make_member(org_tree.branch_a, name, acting_user=staff_user)
        for name in ("王建国", "李秀英", "张志明", "刘玉兰")
    ]


@pytest.fixture
def members_b(org_tree, staff_user):
    return [
        make_member(org_tree.branch_b, name, acting_user=staff_user)
        for name in ("陈国华", "杨桂芳")
    ]


def at(year, month, day, hour=9, minute=0):
    """An aware local (Asia/Shanghai) datetime."""
    from django.utils import timezone

    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())
