"""Masking of personal information (个人信息保护法): ID numbers and phone numbers."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """640104195003011234 → 640104********1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678; a short number keeps only its last two digits."""
    if not value:
        return ""
    if len(value) >= 11:
        return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]
