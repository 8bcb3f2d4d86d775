"""Community coordination keeps an audit trail: needs, claims (django-simple-history)."""

from __future__ import annotations

import pytest

from alliance.models import Claim, MediationCase, Need, Resource
from alliance.services import claim_accept, need_claim, need_post
from members.models import Skill
from tests.alliance.helpers import build_world, days

pytestmark = pytest.mark.django_db


def test_models_with_history():
    for model in (Need, Resource, Claim, MediationCase):
        assert hasattr(model, "history"), model


def test_need_and_claim_changes_leave_history_rows(org_tree, liaison_user, secretary_user):
    world = build_world(org_tree, liaison_user)
    need = need_post(
        acting_user=liaison_user,
        title="为独居老人讲解防诈骗知识",
        category="lecture",
        wanted_by=days(14),
        people_wanted=2,
        skills=Skill.objects.filter(name="宣讲"),
    )
    claim = need_claim(
        need=need, organization=org_tree.branch_a, acting_user=secretary_user, people=2
    )
    claim_accept(claim=claim, acting_user=world.liaison)

    claim_states = list(
        claim.history.order_by("history_date", "history_id").values_list("state", flat=True)
    )
    assert claim_states[0] == "pending"
    assert claim_states[-1] == "accepted"
    need_states = list(
        need.history.order_by("history_date", "history_id").values_list("state", flat=True)
    )
    assert need_states[0] == "open"
    assert need_states[-1] == "claimed"
