"""The roster export: exactly the filtered roster, streamed through core.xlsx; registered with
core.exports so that a large roster is written by the job worker."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.exports import PreparedExport, register_export
from core.privacy import mask_id_number, mask_phone
from core.xlsx import Sheet
from members import selectors
from members.columns import COLUMNS, yes_no, zh
from members.filters import MemberFilter
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


VALUE_FIELDS = (
    "pk",
    *(
        "organization__name"
        if c.field == "organization"
        else "registered_community__name"
        if c.field == "registered_community"
        else c.field
        for c in COLUMNS
        if c.kind != "skills"
    ),
    "status",
    "lost_contact",
    "is_mobile",
    "mobile_to",
)


def _age(born, today) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def export_rows(members: QuerySet[Member], *, unmasked: bool) -> Iterator[list]:
    """One row per member; ID numbers and phones masked unless `unmasked`.

    Rows are read as plain tuples with .iterator(chunk_size) (no model instances); the skills
    of each chunk come in one more query, so memory stays at one chunk whatever the size.
    """
    yes, no = yes_no()
    today = timezone.localdate()
    labels = _labels()
    index = {name: i for i, name in enumerate(VALUE_FIELDS)}
    rows = (
        members.order_by("organization__path", "name", "pk")
        .values_list(*VALUE_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    Through = Member.skills.through
    skill_names = dict(Skill.objects.values_list("pk", "name"))
    chunk: list[tuple] = []

    def flush():
        skills: dict[int, list[str]] = {}
        for member_id, skill_id in Through.objects.filter(
            member_id__in=[values[0] for values in chunk]
        ).values_list("member_id", "skill_id"):
            skills.setdefault(member_id, []).append(skill_names[skill_id])
        for values in chunk:
            yield _row(values, skills.get(values[0], ()))

    def _row(values, member_skills) -> list:
        row = []
        for column in COLUMNS:
            field = column.field
            if column.kind == "skills":
                row.append("、".join(sorted(member_skills)))
                continue
            key = (
                "organization__name"
                if field == "organization"
                else "registered_community__name"
                if field == "registered_community"
                else field
            )
            value = values[index[key]]
            if field == "id_number" and not unmasked:
                value = mask_id_number(value)
            elif field == "phone" and not unmasked:
                value = mask_phone(value)
            elif column.choices is not None:
                value = labels[field].get(value, value)
            elif column.kind == "bool":
                value = yes if value else no
            elif value is None:
                value = ""
            row.append(value)
        row.extend(
            [
                _age(values[index["birth_date"]], today),
                labels["status"].get(values[index["status"]]),
                yes if values[index["lost_contact"]] else no,
                values[index["mobile_to"]] if values[index["is_mobile"]] else "",
            ]
        )
        return row

    for values in rows:
        chunk.append(values)
        if len(chunk) >= CHUNK:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def export_headers() -> list[str]:
    return [zh(c.label) for c in COLUMNS] + [
        _("Age"),
        _("status"),
        _("lost contact"),
        _("mobile member"),
    ]


def members_sheet(members: QuerySet[Member], *, unmasked: bool) -> Sheet:
    return Sheet(
        title=_("Members"),
        headers=export_headers(),
        rows=export_rows(members, unmasked=unmasked),
        widths=[c.width for c in COLUMNS] + [8, 10, 8, 16],
        caption=_("Members (exported %(when)s)")
        % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    )


@register_export(EXPORT_NAME, title=_lazy("Member roster"), permission="members.export_member")
def members_export(user, query: QueryDict) -> PreparedExport:
    """The roster as the user may see it, filtered as the roster page (`query`); ID numbers
    and phones unmasked only when asked (`unmasked=1`) and allowed."""
    members = selectors.members_for(user)
    filterset = MemberFilter(query or None, queryset=members, user=user)
    if filterset.is_bound and filterset.is_valid():
        members = filterset.qs
    unmasked = query.get("unmasked") == "1" and user.has_perm("members.export_unmasked")
    return PreparedExport(
        filename=f"members-{timezone.localdate():%Y%m%d}.xlsx",
        sheets=lambda: [members_sheet(members, unmasked=unmasked)],
        rows_total=members.count,
        unmasked=unmasked,
        query=query,
    )
