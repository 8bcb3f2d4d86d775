"""Masking of personal information (个人信息保护法): ID numbers and phone numbers."""

from __future__ import annotations

from django.utils.translation import gettext as _


def mask_id_number(value: str | None) -> str:
    """640104195003011234 → 640104********123*.

    The region (first 6) and the sequence digits stay, for telling people apart; the birth
    date and the check digit go. Without the check digit, a birth year and month learnt
    elsewhere (the care list's "turns 80 this month") leave every day of the month possible."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:-1]}*"


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678; a short number keeps only its last two digits."""
    if not value:
        return ""
    if len(value) >= 11:
        return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]


def age_band(age: int | None) -> str:
    """75 → "70–79岁": the decade of an age, shown instead of the exact age (or the birth
    date) beside a masked ID number, whose hidden digits are exactly the birth date."""
    if age is None:
        return ""
    if age < 60:
        return _("under 60")
    if age >= 90:
        return _("90 years old and over")
    low = age - age % 10
    return _("%(low)s–%(high)s years old") % {"low": low, "high": low + 9}
