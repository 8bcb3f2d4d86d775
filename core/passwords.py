"""A password validator for the portal: not the published demo password, and not one of the
passwords people here pick first (Django's CommonPasswordValidator covers the world's list;
this adds the local habits: lucky digits, keyboard rows, pinyin names of the city and the
portal's own words, each with or without digits)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Compared after lowering case and removing digits, spaces and punctuation at the ends.
COMMON_WORDS = frozenset(
    {
        "password",
        "passw0rd",
        "qwerty",
        "qwertyuiop",
        "asdfgh",
        "asdfghjkl",
        "zxcvbn",
        "abc",
        "abcdef",
        "admin",
        "administrator",
        "root",
        "iloveyou",
        "woaini",
        "yinchuan",
        "ningxia",
        "nx",
        "yc",
        "dangjian",
        "dangjianlianmeng",
        "lianmeng",
        "laoganbu",
        "laoganbuju",
        "zhongguo",
        "china",
        "beijing",
        "alliance",
        "portal",
    }
)
# Whole passwords made of these are refused too (the digits people choose for luck).
COMMON_DIGITS = frozenset(
    {
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234567890",
        "654321",
        "888888",
        "88888888",
        "666666",
        "66666666",
        "168168",
        "518518",
        "520520",
        "5201314",
        "147258",
        "147258369",
        "123123",
        "112233",
        "000000",
        "111111",
        "11111111",
    }
)


def _is_common(password: str) -> bool:
    lowered = password.strip().lower()
    if lowered in COMMON_DIGITS or re.fullmatch(r"(\d)\1{5,}", lowered):
        return True
    letters = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    return letters in COMMON_WORDS or lowered in COMMON_WORDS


class PortalPasswordValidator:
    """Refuses the demo password (settings.DEMO_PASSWORD) and the local common passwords."""

    def validate(self, password: str, user=None) -> None:
        demo = getattr(settings, "DEMO_PASSWORD", "")
        if demo and password.strip().lower() == demo.strip().lower():
            raise ValidationError(
                _("This is the published demo password: choose a password of your own."),
                code="password_is_demo",
            )
        if _is_common(password):
            raise ValidationError(
                _(
                    "This password is one of the most common ones (lucky numbers, keyboard "
                    "rows, the city's name with digits): choose one that is harder to guess."
                ),
                code="password_too_common_locally",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be the demo password, lucky numbers such as 888888, a "
            "keyboard row, or the city's name with digits."
        )
