"""The roster's spreadsheet columns, shared by the import template, the importer and the export.

Headers and enumeration values are written in Chinese (the template is for Chinese users);
the importer also understands the English labels and the stored codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.models import Education, Gender, Health, MemberCategory, PartyStanding


@dataclass(frozen=True)
class Column:
    field: str
    label: object  # lazy translation
    required: bool = False
    choices: type | None = None  # a TextChoices class
    kind: str = "text"  # text | date | bool | skills | organization | community | id_number
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("name", _("Name"), required=True, width=12),
    Column("gender", _("Gender"), required=True, choices=Gender, width=8),
    Column("ethnicity", _("Ethnicity"), width=8),
    Column("id_number", _("ID number"), required=True, kind="id_number", width=22),
    Column("birth_date", _("Birth date"), required=True, kind="date", width=12),
    Column("education", _("Education"), choices=Education),
    Column("joined_party_on", _("Joined the party on"), kind="date", width=12),
    Column("confirmed_on", _("Full membership on"), kind="date", width=12),
    Column("category", _("Category"), required=True, choices=MemberCategory),
    Column("organization", _("Organization"), required=True, kind="organization", width=28),
    Column("former_unit", _("Former unit"), width=20),
    Column("former_post", _("Former post")),
    Column("phone", _("Phone"), width=16),
    Column("address", _("Address"), width=24),
    Column("party_standing", _("Party standing"), choices=PartyStanding, width=10),
    Column("health", _("Health"), choices=Health, width=10),
    Column("skills", _("Skills"), kind="skills", width=18),
    Column("willing_to_volunteer", _("Willing to volunteer"), kind="bool", width=10),
    Column("registered_community", _("Registered community"), kind="community", width=18),
    Column("registered_on", _("Registered on"), kind="date", width=12),
)

EXAMPLE_MARK = "（示例）"


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def header_titles() -> list[str]:
    """The Chinese headers, required columns marked with *."""
    return [zh(c.label) + ("*" if c.required else "") for c in COLUMNS]


def yes_no() -> tuple[str, str]:
    return zh(_("Yes")), zh(_("No"))


def choice_labels(choices) -> list[str]:
    return [zh(label) for _value, label in choices.choices]


def choice_lookup(choices) -> dict[str, str]:
    """Chinese label, English label or code → code."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        lookup[zh(label).lower()] = value
        with translation.override("en"):
            lookup[str(label).lower()] = value
    return lookup


def column_for_header(title: str) -> Column | None:
    """The column whose header (Chinese or English, with or without *) is `title`."""
    title = (title or "").strip().rstrip("*").strip().lower()
    for column in COLUMNS:
        with translation.override("en"):
            english = str(column.label).lower()
        if title in (zh(column.label).lower(), english, column.field):
            return column
    return None
