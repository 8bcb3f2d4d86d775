"""What every room of the members' services shares: the error they raise, full_clean turned
into that error, and the rule that says who may change a member."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.errors import ServiceError
from members.models import Member


class MemberError(ServiceError):
    """A roster write that cannot be done; `str()` is a message for the user."""

    def __init__(self, message: str = "", errors: dict[str, list[str]] | None = None):
        self.errors = errors or {}
        if not message and self.errors:
            message = "；".join(str(m) for messages in self.errors.values() for m in messages)
        super().__init__(message)


def _full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        errors = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        raise MemberError(errors=errors) from exc


def may_change_member(user, member: Member) -> bool:
    """The rule the member pages ask ("members.change_member"), asked by the services too."""
    return bool(user is not None and user.has_perm("members.change_member", member))
