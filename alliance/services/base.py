"""What every write of the alliance shares: its error and the small checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.errors import ServiceError


class CoordinationError(ServiceError):
    """A coordination write that cannot be done; the message is shown to the user."""


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(str(m) for messages in exc.message_dict.values() for m in messages)
    return "；".join(str(m) for m in exc.messages)


def _full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise CoordinationError(_message(exc)) from exc


def _require(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise CoordinationError(message, field=field)


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)
