"""Every alliance page, for every role: one table (page, role → status).

The anonymous visitor is always sent to log in. Another organization's object that the
selectors hide is a 404 (the object is fetched through a selector before any rule runs); a
visible object the user may not act on, or a page the role may not open, is a 403.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from alliance.services import alliance_join, annual_target_save
from core.actors import system_actor
from tests.alliance.helpers import ROLES, build_coordination_world, user_of

pytestmark = pytest.mark.django_db

SIGNED_IN = ROLES[1:]
ALL = dict.fromkeys(SIGNED_IN, 200)
STAFF_ONLY = {role: 200 if role == "staff" else 403 for role in SIGNED_IN}


def _only(allowed: dict, default: int = 403) -> dict:
    return {role: allowed.get(role, default) for role in SIGNED_IN}


# page → (the world's object in the URL, {role: status on GET})
PAGES = {
    "index": (None, ALL),
    "registry": (None, ALL),
    "registry_join": (None, STAFF_ONLY),
    "registry_leave": ("membership", STAFF_ONLY),
    "targets": (None, ALL),
    "target_create": (None, STAFF_ONLY),
    "target_edit": ("target", STAFF_ONLY),
    "need_list": (None, ALL),
    "need_detail": ("need", ALL),
    "need_create": (None, _only({"staff": 200, "liaison": 200})),
    "resource_list": (None, ALL),
    "resource_detail": ("resource", ALL),
    "resource_create": (None, _only({"staff": 200, "secretary": 200, "other_secretary": 200})),
    "claim_inbox": (None, _only({"supervisor": 403, "viewer": 403}, default=200)),
    "claim_detail": ("claim", _only({"other_secretary": 404}, default=200)),
    "studio_list": (None, ALL),
    "studio_detail": ("studio", ALL),
    "rota_shift_add": ("studio", STAFF_ONLY),
    "case_add": ("studio", STAFF_ONLY),
    "case_detail": ("case", _only({"staff": 200}, default=404)),
    "community": ("community", ALL),
    "coordination_export": (None, ALL),
}

# POST-only action → (the world's object, {role: status on POST}); 302 is the way back to the
# item (or the inbox), with the service's answer as a message.
ACTIONS = {
    "need_claim": ("need", _only({"staff": 302, "secretary": 302, "other_secretary": 302})),
    "need_withdraw": ("need", _only({"staff": 302, "liaison": 302})),
    "resource_claim": ("resource", _only({"staff": 302, "liaison": 302})),
    "resource_withdraw": ("resource", _only({"staff": 302, "secretary": 302})),
    "claim_accept": ("claim", _only({"staff": 302, "liaison": 302, "other_secretary": 404})),
    "claim_decline": ("claim", _only({"staff": 302, "liaison": 302, "other_secretary": 404})),
    "claim_withdraw": ("claim", _only({"staff": 302, "secretary": 302, "other_secretary": 404})),
}


@pytest.fixture
def world(
    org_tree,
    liaison_user,
    staff_user,
    secretary_user,
    other_secretary,
    supervisor_user,
    viewer_user,
):
    world = build_coordination_world(
        org_tree,
        liaison=liaison_user,
        staff=staff_user,
        secretary=secretary_user,
        other_secretary=other_secretary,
        supervisor=supervisor_user,
        viewer=viewer_user,
    )
    world.membership = alliance_join(
        organization=world.community_org,
        acting_user=system_actor(),
        joined_on=datetime.date(2025, 1, 1),
        hub="elderly_centre",
    )
    world.target = annual_target_save(
        acting_user=system_actor(),
        year=2025,
        organizations_target=10,
        coverage_rate_target=50,
        participation_rate_target=80,
    )
    return world


def _url(world, name: str, target: str | None) -> str:
    if target is None:
        return reverse(f"alliance:{name}")
    obj = getattr(world, target)
    return reverse(f"alliance:{name}", args=[obj.year if target == "target" else obj.pk])


def _client_for(client, world, role):
    user = user_of(world, role)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permission_table(client, world, name, role):
    target, expected = PAGES[name]
    response = _client_for(client, world, role).get(_url(world, name, target))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], (name, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_permission_table(client, world, name, role):
    target, expected = ACTIONS[name]
    response = _client_for(client, world, role).post(_url(world, name, target))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], (name, role)


@pytest.mark.parametrize("role", ["staff", "other_secretary"])
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_actions_answer_only_post(client, world, name, role):
    target, _expected = ACTIONS[name]
    response = _client_for(client, world, role).get(_url(world, name, target))
    assert response.status_code == 405
