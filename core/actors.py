"""The explicit actor for work no person did: reminders, jobs, the demo seed, data fixes.

Services take `acting_user` and never `None`; code that acts on its own passes
`system_actor()`, an inactive account that cannot sign in, so that history and logs always
name who did a thing.
"""

from __future__ import annotations

from core.models import Role, User

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"full_name": "系统", "role": Role.VIEWER, "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system_actor(user) -> bool:
    return getattr(user, "username", None) == SYSTEM_USERNAME
