"""What every write of the activities app shares: its error, validation, the scope checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.permissions import activity_hosted_in_scope
from branches.models import Organization
from core.errors import ServiceError
from core.models import User
from core.permissions import organization_in_scope


class ActivityError(ServiceError):
    """A write that cannot be done; the message is shown to the user (translated).

    `field` names the form field at fault (None: the whole form).
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field)


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(str(m) for messages in exc.message_dict.values() for m in messages)
    return "；".join(str(m) for m in exc.messages)


def full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise ActivityError(_validation_message(exc)) from exc


def acts_for_bureau(acting_user: User) -> bool:
    """Bureau staff and the system actor (core.actors) are not held to an organization."""
    return acting_user.is_bureau_staff


def check_scope(acting_user: User, organization: Organization) -> None:
    if acts_for_bureau(acting_user):
        return
    if not (acting_user.is_secretary and organization_in_scope(acting_user, organization)):
        raise ActivityError(_("You may only record activities of your own organization."))


def check_activity_scope(acting_user: User, activity: Activity) -> None:
    """The acting secretary's subtree holds one of the activity's hosts (lead or co-host)."""

    if acts_for_bureau(acting_user):
        return
    if not activity_hosted_in_scope(acting_user, activity):
        raise ActivityError(_("You may only change activities your organization hosts."))
