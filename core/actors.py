"""The explicit actor for work no person did: reminders, jobs, the demo seed, data fixes.

Services take `acting_user` and never `None`; code that acts on its own passes
`system_actor()`, an inactive account that cannot sign in, so that history and logs always
name who did a thing. It has bureau staff's rights in the permission rules (User.is_system),
so services ask the same rules of it as of a person.
"""

from __future__ import annotations

from core.models import SYSTEM_USERNAME, Role, User


def system_actor() -> User:
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"full_name": "系统", "role": Role.STAFF, "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system_actor(user) -> bool:
    return bool(getattr(user, "is_system", False))
