"""Fixtures for the roster tests: members built through members.services."""

from __future__ import annotations

import datetime
import itertools

import pytest

from members.identity import make_id_number
from members.services import member_create

_sequence = itertools.count(1)


def member_fields(*, born=datetime.date(1950, 3, 1), gender="male", **fields) -> dict:
    """Valid member fields; a fresh ID number each call."""
    data = {
        "name": "王建国",
        "gender": gender,
        "birth_date": born,
        "id_number": make_id_number("640104", born, next(_sequence) % 500, gender),
        "category": "retired",
        "phone": "13912345678",
    }
    data.update(fields)
    return data


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded import files (kept between preview and confirm) go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_member(staff_user):
    def _make(organization, **fields):
        skills = fields.pop("skills", None)
        return member_create(
            acting_user=staff_user,
            organization=organization,
            skills=skills,
            **member_fields(**fields),
        )

    return _make
