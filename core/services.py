"""Writes of the ground floor: the 大字 setting and the contact preferences on an account, and
the export log (which the exporter in core.xlsx writes for every download)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import ExportLog, User

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_PATTERN = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@transaction.atomic
def user_toggle_large_text(*, user: User) -> bool:
    user.large_text = not user.large_text
    user.save(update_fields=["large_text"])
    return user.large_text


def export_log_record(
    *,
    user: User,
    export: str,
    query: QueryDict | dict | str = "",
    unmasked: bool = False,
    rows: int | None = None,
) -> ExportLog:
    """Record that `user` downloaded `export` with this filter (and whether it was unmasked)."""
    if isinstance(query, QueryDict):
        query = query.urlencode()
    elif isinstance(query, dict):
        query = "&".join(f"{key}={value}" for key, value in sorted(query.items()))
    return ExportLog.objects.create(
        user=user, export=export, query=query, unmasked=unmasked, rows=rows
    )


def normalize_phone(value: str) -> str:
    """Full-width digits and dashes made plain (NFKC), spaces dropped, +86 / 0086 removed."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    value = re.sub(r"[\s()]", "", value).replace("—", "-").replace("－", "-")
    value = re.sub(r"^(\+86|0086)-?", "", value)
    return value


@transaction.atomic
def user_update_contact_preferences(
    *,
    user: User,
    acting_user: User,
    email: str,
    phone: str,
    notify_by_email: bool,
    notify_by_sms: bool,
) -> User:
    """The user's email, phone and the channels their notifications also go by (我的设置).

    A phone is a mainland mobile (13912345678) or landline (0951-1234567) number; text
    messages need a mobile number, email copies an email address."""
    if acting_user.pk != user.pk:
        raise ServiceError(_("You may change only your own settings."))
    email = (email or "").strip()
    phone = normalize_phone(phone)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError(_("Enter a valid email address."), field="email") from None
    if phone and not (MOBILE_PATTERN.match(phone) or LANDLINE_PATTERN.match(phone)):
        raise ServiceError(
            _("Enter a mainland phone number: a mobile number or an area code and number."),
            field="phone",
        )
    if notify_by_sms and not phone:
        raise ServiceError(
            _("To receive text messages, enter your mobile phone number in the Phone field."),
            field="phone",
        )
    if notify_by_sms and not MOBILE_PATTERN.match(phone):
        raise ServiceError(
            _("Text messages need a mobile phone number (11 digits starting with 1)."),
            field="phone",
        )
    if notify_by_email and not email:
        raise ServiceError(
            _("To receive emails, enter your email address in the Email field."), field="email"
        )
    user.email = email
    user.phone = phone
    user.notify_by_email = notify_by_email
    user.notify_by_sms = notify_by_sms
    fields = ["email", "phone", "notify_by_email", "notify_by_sms"]
    try:
        user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in fields])
    except ValidationError as error:
        raise ServiceError.from_validation_error(error) from None
    user.save(update_fields=fields)
    return user
