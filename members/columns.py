"""The roster's spreadsheet columns, shared by the import template, the importer and the export.

Headers and enumeration values are written in Chinese (the template is for Chinese users);
the importer also understands the English labels and the stored codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    Column("name", pgettext_lazy("member column", "Name"), required=True, width=12),
    # 性别 and 出生日期 are read from a valid ID number when left empty.
    Column("gender", pgettext_lazy("member column", "Gender"), choices=Gender, width=8),
    Column("ethnicity", pgettext_lazy("member column", "Ethnicity"), width=8),
    Column(
        "id_number",
        pgettext_lazy("member column", "ID number"),
        required=True,
        kind="id_number",
        width=22,
    ),
    Column(
        "birth_date",
        pgettext_lazy("member column", "Birth date"),
        kind="date",
        width=12,
    ),
    Column("education", pgettext_lazy("member column", "Education"), choices=Education),
    Column(
        "joined_party_on",
        pgettext_lazy("member column", "Joined the party on"),
        kind="date",
        width=12,
    ),
    Column(
        "confirmed_on", pgettext_lazy("member column", "Full membership on"), kind="date", width=12
    ),
    Column(
        "category",
        pgettext_lazy("member column", "Category"),
        required=True,
        choices=MemberCategory,
    ),
    Column(
        "organization",
        pgettext_lazy("member column", "Organization"),
        required=True,
        kind="organization",
        width=28,
    ),
    Column("former_unit", pgettext_lazy("member column", "Former unit"), width=20),
    Column("former_post", pgettext_lazy("member column", "Former post")),
    Column("phone", pgettext_lazy("member column", "Phone"), width=16),
    Column("address", pgettext_lazy("member column", "Address"), width=24),
    Column(
        "party_standing",
        pgettext_lazy("member column", "Party standing"),
        choices=PartyStanding,
        width=10,
    ),
    Column("health", pgettext_lazy("member column", "Health"), choices=Health, width=10),
    Column("skills", pgettext_lazy("member column", "Skills"), kind="skills", width=18),
    Column(
        "willing_to_volunteer",
        pgettext_lazy("member column", "Willing to volunteer"),
        kind="bool",
        width=10,
    ),
    Column(
        "registered_community",
        pgettext_lazy("member column", "Registered community"),
        kind="community",
        width=18,
    ),
    Column("registered_on", pgettext_lazy("member column", "Registered on"), kind="date", width=12),
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
