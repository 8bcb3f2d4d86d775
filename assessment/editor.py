"""The rubric editor's one form: the rubric's settings, its grade bands (one field per grade),
its sections, items and deduction lines, each with an order field and a remove box, and one
empty slot of each to add. Plain HTML forms; the page's script only moves rows and renumbers
the order fields.

Field names: `s<i>-title`, `s<i>-i<j>-code`, `s<i>-i<j>-d<k>-text`, … The numbers only group
the fields; the order fields say the order. The posted form is read into raw rows (shown again
as typed when something is refused) and then into the specs the rubric services take.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from assessment.models import (
    GRADE_ORDER,
    DeductionKind,
    Grade,
    GradeBasis,
    GradeTotal,
    ItemKind,
    Rubric,
    VetoConsequence,
    fmt_points,
)
from assessment.services import (
    BandSpec,
    DeductionSpec,
    ItemSpec,
    RubricSettings,
    SectionSpec,
)

SECTION_FIELDS = ("title", "order", "delete")
ITEM_FIELDS = (
    "code",
    "title",
    "criterion",
    "max_points",
    "kind",
    "cumulative",
    "veto_consequence",
    "veto_grade",
    "metric",
    "metric_params",
    "order",
    "delete",
)
LINE_FIELDS = ("text", "kind", "points", "unit", "cap", "order", "delete")
SETTING_FIELDS = (
    "title",
    "max_total",
    "bonus_cap",
    "bonus_cumulative",
    "grade_basis",
    "grade_total",
)
NAME = re.compile(r"^s(\d+)(?:-i(\d+))?(?:-d(\d+))?-([a-z_]+)$")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt_points(value)
    return str(value)


def _blank_line(order: int) -> dict:
    return {"text": "", "kind": DeductionKind.FIXED, "points": "", "unit": "", "cap": "",
            "order": str(order), "delete": False, "new": True}  # fmt: skip


def _blank_item(order: int) -> dict:
    return {"code": "", "title": "", "criterion": "", "max_points": "", "kind": ItemKind.NORMAL,
            "cumulative": True, "veto_consequence": VetoConsequence.FAIL, "veto_grade": "",
            "metric": "", "metric_params": "", "order": str(order), "delete": False, "new": True,
            "lines": [_blank_line(1)]}  # fmt: skip


def _blank_section(order: int) -> dict:
    return {"title": "", "order": str(order), "delete": False, "new": True,
            "items": [_blank_item(1)]}  # fmt: skip


def with_empty_slots(sections: list[dict]) -> list[dict]:
    """One empty section, one empty item per section, one empty line per item, to add."""
    for section in sections:
        for item in section["items"]:
            if not any(line.get("new") for line in item["lines"]):
                item["lines"].append(_blank_line(len(item["lines"]) + 1))
        if not any(item.get("new") for item in section["items"]):
            section["items"].append(_blank_item(len(section["items"]) + 1))
    if not any(section.get("new") for section in sections):
        sections.append(_blank_section(len(sections) + 1))
    for s_index, section in enumerate(sections, start=1):
        section["key"] = f"s{s_index}"
        for i_index, item in enumerate(section["items"], start=1):
            item["key"] = f"{section['key']}-i{i_index}"
            for d_index, line in enumerate(item["lines"], start=1):
                line["key"] = f"{item['key']}-d{d_index}"
    return sections


def rubric_rows(rubric: Rubric) -> tuple[dict, dict, list[dict]]:
    """(settings, bands, sections) of a saved rubric, as the form shows them."""
    settings = {
        "title": rubric.title,
        "max_total": _text(rubric.max_total),
        "bonus_cap": _text(rubric.bonus_cap),
        "bonus_cumulative": rubric.bonus_cumulative,
        "grade_basis": rubric.grade_basis,
        "grade_total": rubric.grade_total,
    }
    bands = dict.fromkeys(GRADE_ORDER, "")
    for band in rubric.bands.all():
        bands[band.grade] = _text(band.minimum)
    sections = []
    for s_index, section in enumerate(rubric.sections.prefetch_related("items__deductions"), 1):
        items = []
        for i_index, item in enumerate(section.items.all(), start=1):
            lines = [
                {
                    "text": line.text,
                    "kind": line.kind,
                    "points": _text(line.points) if line.kind != DeductionKind.ZERO else "",
                    "unit": line.unit,
                    "cap": _text(line.cap),
                    "order": str(d_index),
                    "delete": False,
                }
                for d_index, line in enumerate(item.deductions.all(), start=1)
            ]
            items.append(
                {
                    "code": item.code,
                    "title": item.title,
                    "criterion": item.criterion,
                    "max_points": _text(item.max_points),
                    "kind": item.kind,
                    "cumulative": item.cumulative,
                    "veto_consequence": item.veto_consequence,
                    "veto_grade": item.veto_grade,
                    "metric": item.metric or "",
                    "metric_params": json.dumps(item.metric_params, ensure_ascii=False)
                    if item.metric_params
                    else "",
                    "order": str(i_index),
                    "delete": False,
                    "lines": lines,
                }
            )
        sections.append(
            {"title": section.title, "order": str(s_index), "delete": False, "items": items}
        )
    return settings, bands, with_empty_slots(sections)


def posted_rows(data) -> tuple[dict, dict, list[dict]]:
    """(settings, bands, sections) as posted, in their order fields' order."""
    settings = {name: data.get(name, "").strip() for name in SETTING_FIELDS}
    settings["bonus_cumulative"] = data.get("bonus_cumulative") == "on"
    bands = {grade: data.get(f"band_{grade}", "").strip() for grade in GRADE_ORDER}
    tree: dict = {}
    for name in data:
        match = NAME.match(name)
        if not match:
            continue
        s, i, d, field = match.groups()
        section = tree.setdefault(int(s), {"fields": {}, "items": {}})
        target = section
        if i is not None:
            target = section["items"].setdefault(int(i), {"fields": {}, "lines": {}})
            if d is not None:
                target = target["lines"].setdefault(int(d), {"fields": {}})
        target["fields"][field] = data.get(name, "").strip()

    def order_of(pair):
        key, node = pair
        try:
            return (Decimal(node["fields"].get("order") or key), key)
        except InvalidOperation:
            return (Decimal(key), key)

    sections = []
    for _s, node in sorted(tree.items(), key=order_of):
        items = []
        for _i, item_node in sorted(node["items"].items(), key=order_of):
            lines = [
                {
                    **{f: line_node["fields"].get(f, "") for f in LINE_FIELDS},
                    "delete": line_node["fields"].get("delete") == "on",
                }
                for _d, line_node in sorted(item_node["lines"].items(), key=order_of)
            ]
            item = {f: item_node["fields"].get(f, "") for f in ITEM_FIELDS}
            item.update(
                delete=item_node["fields"].get("delete") == "on",
                cumulative=item_node["fields"].get("cumulative") == "on",
                lines=lines,
            )
            items.append(item)
        section = {f: node["fields"].get(f, "") for f in SECTION_FIELDS}
        section.update(delete=node["fields"].get("delete") == "on", items=items)
        sections.append(section)
    return settings, bands, sections


def _number(value: str, where: str, errors: list[str], *, required=True) -> Decimal | None:
    if not value:
        if required:
            errors.append(_("%(where)s: give a number.") % {"where": where})
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        errors.append(
            _("%(where)s: “%(value)s” is not a number of 0 or more.")
            % {"where": where, "value": value}
        )
        return None
    return number


def specs_from_rows(
    settings: dict, bands: dict, sections: list[dict]
) -> tuple[RubricSettings, list[SectionSpec], list[str]]:
    """The specs the rubric services take, and the errors of fields that cannot be read
    (then nothing is saved). Empty slots and rows ticked for removal are left out."""
    errors: list[str] = []
    band_specs = []
    for grade in GRADE_ORDER:
        value = _number(bands.get(grade, ""), str(Grade(grade).label), errors, required=False)
        if value is not None:
            band_specs.append(BandSpec(grade, value))
    rubric_settings = RubricSettings(
        title=settings.get("title", ""),
        max_total=_number(settings.get("max_total", ""), _("Declared maximum total"), errors)
        or Decimal("0"),
        bonus_cap=_number(settings.get("bonus_cap", "") or "0", _("Bonus cap"), errors)
        or Decimal("0"),
        bonus_cumulative=bool(settings.get("bonus_cumulative")),
        grade_basis=settings.get("grade_basis") or GradeBasis.POINTS,
        grade_total=settings.get("grade_total") or GradeTotal.WITH_BONUS,
        bands=band_specs,
    )
    if not rubric_settings.title:
        errors.append(_("Give the rubric a title."))
    specs = []
    for section in sections:
        if section["delete"]:
            continue
        items = []
        for item in section["items"]:
            if item["delete"] or not (item["code"] or item["title"]):
                continue
            where = item["code"] or item["title"]
            if not item["code"] or not item["title"]:
                errors.append(_("%(where)s: give the item's code and title.") % {"where": where})
            kind = item["kind"] if item["kind"] in ItemKind.values else ItemKind.NORMAL
            maximum = _number(
                item["max_points"] or ("0" if kind == ItemKind.VETO else ""), where, errors
            )
            params: dict = {}
            if item["metric_params"]:
                try:
                    params = json.loads(item["metric_params"])
                except ValueError:
                    params = None
                if not isinstance(params, dict):
                    errors.append(
                        _("%(where)s: the metric parameters are not a JSON mapping.")
                        % {"where": where}
                    )
                    params = {}
            lines = []
            for line in item["lines"]:
                if line["delete"] or not line["text"]:
                    continue
                line_kind = line["kind"] if line["kind"] in DeductionKind.values else "fixed"
                line_where = f"{where} · {line['text']}"
                points = _number(
                    line["points"], line_where, errors, required=line_kind != DeductionKind.ZERO
                )
                cap = _number(line["cap"], line_where, errors, required=False)
                lines.append(
                    DeductionSpec(
                        text=line["text"],
                        kind=line_kind,
                        points=points or Decimal("0"),
                        unit=line["unit"],
                        cap=cap if line_kind == DeductionKind.PER_OCCURRENCE else None,
                    )
                )
            items.append(
                ItemSpec(
                    code=item["code"],
                    title=item["title"],
                    criterion=item["criterion"],
                    max_points=maximum or Decimal("0"),
                    kind=kind,
                    cumulative=bool(item["cumulative"]),
                    veto_consequence=item["veto_consequence"] or VetoConsequence.FAIL,
                    veto_grade=item["veto_grade"] if kind == ItemKind.VETO else "",
                    metric=item["metric"] or None,
                    metric_params=params,
                    deductions=lines,
                )
            )
        if not section["title"]:
            if items:
                errors.append(_("A section with items needs a title."))
            continue
        specs.append(SectionSpec(title=section["title"], items=items))
    return rubric_settings, specs, errors
