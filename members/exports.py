"""The roster export: exactly the filtered roster, streamed through alliance.xlsx."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.privacy import mask_id_number, mask_phone
from alliance.xlsx import Sheet, xlsx_response
from members.columns import COLUMNS, yes_no, zh
from members.models import Member, Skill

EXPORT_NAME = "members"
CHUNK = 2000


def _labels() -> dict[str, dict[str, str]]:
    """code → label per choice field, translated once (not once per cell)."""
    return {
        field.name: {value: str(label) for value, label in field.flatchoices}
        for field in Member._meta.concrete_fields
        if field.choices
    }


def export_rows(members: QuerySet[Member], *, unmasked: bool) -> Iterator[list]:
    """One row per member; ID numbers and phones masked unless `unmasked`.

    Rows are read with .iterator(chunk_size): skills are prefetched per chunk, never for
    the whole roster at once.
    """
    yes, no = yes_no()
    today = timezone.localdate()
    labels = _labels()
    members = (
        members.select_related("organization", "registered_community")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.only("pk", "name")))
        .order_by("organization__path", "name", "pk")
    )
    for member in members.iterator(chunk_size=CHUNK):
        row = []
        for column in COLUMNS:
            field = column.field
            if field == "id_number":
                value = member.id_number if unmasked else mask_id_number(member.id_number)
            elif field == "phone":
                value = member.phone if unmasked else mask_phone(member.phone)
            elif column.choices is not None:
                code = getattr(member, field)
                value = labels[field].get(code, code)
            elif column.kind == "bool":
                value = yes if getattr(member, field) else no
            elif column.kind == "skills":
                value = "、".join(skill.name for skill in member.skills.all())
            elif field == "organization":
                value = member.organization.name
            elif field == "registered_community":
                value = member.registered_community.name if member.registered_community else ""
            else:
                value = getattr(member, field)
            row.append(value)
        row.extend(
            [
                member.age_on(today),
                labels["status"].get(member.status, member.status),
                yes if member.lost_contact else no,
                member.mobile_to if member.is_mobile else "",
            ]
        )
        yield row


def export_headers() -> list[str]:
    return [zh(c.label) for c in COLUMNS] + [
        _("Age"),
        _("status"),
        _("lost contact"),
        _("mobile member"),
    ]


def members_xlsx(members: QuerySet[Member], *, unmasked: bool):
    sheet = Sheet(
        title=_("Members"),
        headers=export_headers(),
        rows=export_rows(members, unmasked=unmasked),
        widths=[c.width for c in COLUMNS] + [8, 10, 8, 16],
        caption=_("Members (exported %(when)s)")
        % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    )
    filename = f"members-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename, sheet)
