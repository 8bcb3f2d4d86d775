"""The system actor: acts for the bureau in jobs and the seed, never signs in."""

import pytest

from core.actors import system_actor
from core.models import Role, User

pytestmark = pytest.mark.django_db


def test_system_actor_is_one_account_that_cannot_sign_in_but_has_staff_rights():
    actor = system_actor()
    assert system_actor() == actor
    assert User.objects.filter(username="system").count() == 1
    assert not actor.is_active and not actor.has_usable_password()
    assert actor.is_system and actor.is_bureau_staff
    assert actor.has_perm("members.change_member")


def test_system_actor_cannot_log_in(client):
    system_actor()
    response = client.post("/accounts/login/", {"username": "system", "password": ""})
    assert response.status_code == 200  # the form again, not a redirect
    assert "_auth_user_id" not in client.session


def test_an_ordinary_inactive_staff_account_has_no_rights():
    user = User.objects.create_user(username="gone", password="x", role=Role.STAFF)
    user.is_active = False
    user.save()
    assert not user.is_system and not user.is_bureau_staff
    assert not user.has_perm("members.change_member")
