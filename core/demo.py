"""Demo accounts, one per role (`seed_demo`)."""

from __future__ import annotations

from django.conf import settings

from core.models import Role, User

DEMO_ACCOUNTS = (
    ("bureau", Role.STAFF, "张立新"),
    ("secretary", Role.SECRETARY, "王建国"),
    ("supervisor", Role.SUPERVISOR, "李文华"),
    ("liaison", Role.LIAISON, "马秀兰"),
    ("viewer", Role.VIEWER, "赵志强"),
)


def seed_accounts(*, context) -> None:
    """Create (or reset) the five demo accounts with DEMO_PASSWORD."""
    for username, role, full_name in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(
            username=username, defaults={"role": role, "full_name": full_name}
        )
        user.role = role
        user.full_name = full_name
        user.is_active = True
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        context.users[username] = user


def print_accounts(*, context) -> None:
    out = context.stdout
    out.write("")
    out.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
    for username, _role, _name in DEMO_ACCOUNTS:
        user = User.objects.select_related("organization", "community").get(username=username)
        where = user.organization or user.community or ""
        out.write(f"  {username:<11} {user.get_role_display()}  {user}  {where}")
    if settings.DEMO_OTP_EXEMPT:
        out.write(
            "Two-step sign-in (TOTP) is not asked of these demo accounts on this DEBUG machine; "
            "with DEBUG off, bureau staff must enrol an authenticator app at first login."
        )
    else:
        out.write(
            "Two-step sign-in: the bureau account enrols an authenticator app at first login "
            "(DEMO_OTP_EXEMPT applies only with DEBUG on)."
        )
