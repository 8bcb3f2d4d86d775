"""Fixtures for the organization tests."""

from __future__ import annotations

import datetime
import itertools

import pytest

from members.models import Member

_ids = itertools.count(1)


def add_members(organization, count: int, *, full: bool = True, status: str = "normal"):
    """Members whose organization relation is `organization` (the members app's model)."""

    rows = []
    for _ in range(count):
        n = next(_ids)
        rows.append(
            Member(
                name=f"党员{n}",
                gender="male",
                id_number=f"640104194901{n:06d}",
                birth_date=datetime.date(1949, 1, 1),
                confirmed_on=datetime.date(1975, 1, 1) if full else None,
                status=status,
                organization=organization,
            )
        )
    return Member.objects.bulk_create(rows)


@pytest.fixture
def members_of():
    return add_members
