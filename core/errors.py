"""The one exception every service raises for a refusal a person can act on.

`ServiceError(message, field=None)`: `message` is the Chinese (translated) sentence naming the
problem; `field` names the form field it belongs to, when there is one. Each app's own error
(`ActivityError`, `BookingError`, …) is a subclass, so a view catches the app's error or
`ServiceError` and hands it to `core.views.add_service_error`, which puts it on the form.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field

    def __str__(self) -> str:
        return self.message

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> ServiceError:
        """The first message of a model's ValidationError, with its field."""
        if hasattr(error, "error_dict"):
            field, errors = next(iter(error.error_dict.items()))
            message = errors[0].messages[0] if errors else str(error)
            return cls(message, field=None if field == "__all__" else field)
        return cls(error.messages[0] if error.messages else str(error))
