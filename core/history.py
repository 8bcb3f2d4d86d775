"""Change history (修改记录) of an object kept by django-simple-history, for a page section.

`change_history(obj)` reads the latest records in one query (plus one per kind of related
object named in a change), diffs each record against the one before it and turns values into
what a reader understands: choice labels, related objects' names, local times. The partial
`templates/includes/_change_history.html` shows it (booking and activity pages).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

HISTORY_LIMIT = 20


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: str
    kind: str  # "+" created, "~" changed, "-" deleted (simple_history's history_type)
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}.get(self.kind, self.kind)


def _display(model_field: models.Field, value, related: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.ForeignKey):
        obj = related.get((model_field.related_model, value))
        return str(obj) if obj is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(model_field, models.DateTimeField):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(model_field, models.DateField):
        return date_format(value, "Y-m-d")
    if isinstance(model_field, models.TimeField):
        return value.strftime("%H:%M")
    return str(value)


def change_history(obj, *, limit: int = HISTORY_LIMIT, exclude: tuple[str, ...] = ()) -> list:
    """The latest `limit` history records of `obj`, newest first, each with what changed."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    model = type(obj)
    diffs = []
    wanted: dict[type, set] = {}
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=exclude)
            for change in delta.changes:
                model_field = model._meta.get_field(change.field)
                if isinstance(model_field, models.ForeignKey):
                    for value in (change.old, change.new):
                        if value is not None:
                            wanted.setdefault(model_field.related_model, set()).add(value)
                changes.append((model_field, change.old, change.new))
        diffs.append((record, changes))
    related = {}
    for related_model, pks in wanted.items():
        for pk, item in related_model._base_manager.in_bulk(pks).items():
            related[(related_model, pk)] = item
    entries = []
    for record, changes in diffs:
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=str(user) if user else _("System"),
                kind=record.history_type,
                changes=[
                    FieldChange(
                        label=str(model_field.verbose_name),
                        old=_display(model_field, old, related),
                        new=_display(model_field, new, related),
                    )
                    for model_field, old, new in sorted(
                        changes, key=lambda c: model._meta.fields.index(c[0])
                    )
                ],
            )
        )
    return entries
