"""The roster export: exactly the filtered roster, streamed through core.xlsx; registered with
core.exports so that a large roster is written by the job worker."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from branches.models import in_subtree
from branches.selectors import organizations_for
from core.exports import ExportRefused, PreparedExport, register_export
from core.params import year_param
from core.privacy import age_band, mask_id_number, mask_phone
from core.xlsx import Sheet, download_name
from members import selectors
from members.columns import COLUMNS, yes_no, zh
from members.filters import MemberFilter
from members.models import Member, Skill, VisitKind
from members.selectors import care as care_selectors
from members.selectors import dues as dues_selectors

EXPORT_NAME = "members"
CHUNK = 2000


def _labels() -> dict[str, dict[str, str]]:
    """code → label per choice field, translated once (not once per cell)."""
    return {
        field.name: {value: str(label) for value, label in field.flatchoices}
        for field in Member._meta.concrete_fields
        if field.choices
    }


def _value_field(column) -> str:
    if column.field == "organization":
        return "organization__name"
    if column.field == "registered_community":
        return "registered_community__name"
    return column.field


# The columns read, in the order of the sheet (skills come from their own query), then what the
# last four columns are made of, then the key: a row is the tuple sliced, with a few cells set.
VALUE_FIELDS = (
    *(_value_field(c) for c in COLUMNS if c.kind != "skills"),
    "status",
    "lost_contact",
    "is_mobile",
    "mobile_to",
    "pk",
)
SKILLS_AT = next(i for i, c in enumerate(COLUMNS) if c.kind == "skills")
_AT = {name: i for i, name in enumerate(VALUE_FIELDS)}


def _age(born, today) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def export_rows(members: QuerySet[Member], *, unmasked: bool) -> Iterator[list]:
    """One row per member; ID numbers and phones masked unless `unmasked`.

    Rows are read as plain tuples with .iterator(chunk_size) (no model instances) in the
    sheet's column order, so a row is the tuple sliced with the few cells that need a label,
    a mask or a yes/no set by index; the skills of each chunk come in one more query, so memory
    stays at one chunk whatever the size. Empty values stay None (an empty cell).
    """
    yes, no = yes_no()
    today = timezone.localdate()
    labels = _labels()

    # (index in the row, code → label) for each choice column; the row index equals the tuple
    # index before the skills column and is one more after it.
    def row_index(name: str) -> int:
        at = _AT[name]
        return at if at < SKILLS_AT else at + 1

    choices = [
        (row_index(_value_field(c)), labels[c.field]) for c in COLUMNS if c.choices is not None
    ]
    bools = [row_index(_value_field(c)) for c in COLUMNS if c.kind == "bool"]
    id_at, phone_at = row_index("id_number"), row_index("phone")
    birth_at, age_at = row_index("birth_date"), len(COLUMNS)
    birth, status, lost = _AT["birth_date"], _AT["status"], _AT["lost_contact"]
    mobile, mobile_to, pk = _AT["is_mobile"], _AT["mobile_to"], _AT["pk"]
    statuses = labels["status"]
    head, tail = SKILLS_AT, len(COLUMNS) - 1  # tuple[:head] + skills + tuple[head:tail]
    Through = Member.skills.through
    skill_names = dict(Skill.objects.values_list("pk", "name"))
    rows = (
        members.order_by("organization__path", "name", "pk")
        .values_list(*VALUE_FIELDS)
        .iterator(chunk_size=CHUNK)
    )

    def flush(chunk: list[tuple]) -> Iterator[list]:
        skills: dict[int, list[str]] = {}
        for member_id, skill_id in Through.objects.filter(
            member_id__in=[values[pk] for values in chunk]
        ).values_list("member_id", "skill_id"):
            skills.setdefault(member_id, []).append(skill_names[skill_id])
        for values in chunk:
            member_skills = skills.get(values[pk])
            row = [
                *values[:head],
                "、".join(sorted(member_skills)) if member_skills else None,
                *values[head:tail],
                _age(values[birth], today),
                statuses.get(values[status]),
                yes if values[lost] else no,
                values[mobile_to] if values[mobile] else None,
            ]
            for at, names in choices:
                code = row[at]
                row[at] = names.get(code, code)
            for at in bools:
                row[at] = yes if row[at] else no
            if not unmasked:
                # The mask hides the birth-date digits: no birth date and no exact age beside
                # it (or the number could be rebuilt), only the age band.
                row[id_at] = mask_id_number(row[id_at])
                row[phone_at] = mask_phone(row[phone_at])
                row[birth_at] = None
                row[age_at] = age_band(row[age_at])
            yield row

    chunk: list[tuple] = []
    for values in rows:
        chunk.append(values)
        if len(chunk) >= CHUNK:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


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
        filename=download_name(_("Member roster"), day=timezone.localdate()),
        sheets=lambda: [members_sheet(members, unmasked=unmasked)],
        rows_total=members.count,
        unmasked=unmasked,
        query=query,
    )


# --- Care (走访慰问台账) and dues (党费收缴台账) --------------------------------------------------

MASK = "***"


def _organization_from(user, query: QueryDict):
    pk = query.get("organization")
    if not pk:
        return None
    organization = organizations_for(user).filter(pk=pk).first() if str(pk).isdecimal() else None
    if organization is None:
        raise ExportRefused(_("You may not export this organization."))
    return organization


@register_export(
    "members.care_visits", title=_lazy("Care visits ledger"), permission="members.export_care"
)
def care_visits_export(user, query: QueryDict) -> PreparedExport:
    """走访慰问台账: every visit the user may read (of a year with ?year=); what the member
    needs and the follow-up masked unless asked (`unmasked=1`) and allowed."""
    visits = care_selectors.visits_for(user).order_by("organization__path", "visited_on", "pk")
    organization = _organization_from(user, query)
    if organization is not None:
        visits = visits.filter(in_subtree(organization, "organization"))
    if query.get("year"):
        visits = visits.filter(visited_on__year=year_param(query))
    unmasked = query.get("unmasked") == "1" and user.has_perm("members.export_unmasked")
    kinds = dict(VisitKind.choices)

    def rows():
        for v in visits.iterator(chunk_size=CHUNK):
            yield [
                v.organization.name,
                v.member.name,
                v.visited_on,
                str(kinds.get(v.kind, v.kind)),
                v.visitors,
                v.gifts,
                v.gift_value,
                v.needs if unmasked else (MASK if v.needs else ""),
                v.follow_up if unmasked else (MASK if v.follow_up else ""),
                v.follow_up_due or "",
            ]

    def sheets():
        return [
            Sheet(
                title=_("Care visits"),
                caption=_("Care visits ledger (exported %(when)s)")
                % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
                headers=[
                    _("Organization"),
                    _("Party member"),
                    _("visited on"),
                    _("kind of visit"),
                    _("who went"),
                    _("what was given"),
                    _("value (yuan)"),
                    _("what the member needs"),
                    _("follow-up"),
                    _("follow-up due"),
                ],
                rows=rows(),
                widths=[28, 10, 12, 14, 16, 20, 10, 24, 24, 12],
                number_formats={6: "0.00"},
            )
        ]

    return PreparedExport(
        filename=download_name(
            _("Care visits ledger"),
            **({"year": year_param(query)} if query.get("year") else {"day": timezone.localdate()}),
        ),
        sheets=sheets,
        rows_total=visits.count,
        unmasked=unmasked,
        query=query,
    )


@register_export("members.dues", title=_lazy("Party dues ledger"), permission="members.export_dues")
def dues_export(user, query: QueryDict) -> PreparedExport:
    """党费收缴台账 of a year (?year=, ?organization=): per member the base, monthly dues, the
    months paid, the year's payments and arrears; bases and amounts masked unless asked
    (`unmasked=1`) and allowed."""
    today = timezone.localdate()
    year = year_param(query)
    members = dues_selectors.ledger_members(user, organization=_organization_from(user, query))
    unmasked = query.get("unmasked") == "1" and user.has_perm("members.export_unmasked")

    def money(value):
        return value if unmasked else MASK

    def rows():
        batch: list = []

        def flush():
            for line in dues_selectors.dues_lines(batch, year=year, as_of=today):
                yield [
                    line.member.organization.name,
                    line.member.name,
                    money(line.base.monthly_base) if line.base else "",
                    money(line.monthly) if line.base else "",
                    str(line.base.get_mode_display()) if line.base else "",
                    "、".join(str(m) for m in sorted(line.paid_months)),
                    money(line.paid_total),
                    len(line.arrears_months),
                    money(line.arrears),
                ]

        for member in members.iterator(chunk_size=CHUNK):
            batch.append(member)
            if len(batch) >= CHUNK:
                yield from flush()
                batch = []
        if batch:
            yield from flush()

    def sheets():
        return [
            Sheet(
                title=_("Party dues"),
                caption=_("Party dues ledger %(year)s (exported %(when)s)")
                % {"year": year, "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
                headers=[
                    _("Organization"),
                    _("Party member"),
                    _("monthly basic pension (yuan)"),
                    _("Monthly dues"),
                    _("dues"),
                    _("Months paid"),
                    _("Paid this year"),
                    _("Months in arrears"),
                    _("Arrears"),
                ],
                rows=rows(),
                widths=[28, 10, 14, 10, 8, 24, 12, 10, 10],
                number_formats={2: "0.00", 3: "0.00", 6: "0.00", 8: "0.00"},
            )
        ]

    return PreparedExport(
        filename=download_name(_("Party dues ledger"), year=year),
        sheets=sheets,
        rows_total=members.count,
        unmasked=unmasked,
        query=query,
    )
