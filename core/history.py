"""Change history (修改记录) of an object kept by django-simple-history, for a page section.

`change_history(obj)` reads the latest records in one query (plus one per kind of related
object named in a change), diffs each record against the one before it and turns values into
what a reader understands: choice labels, related objects' names, local times. The partial
`templates/includes/_change_history.html` shows it (booking and activity pages).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords as SimpleHistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

HISTORY_LIMIT = 20


# --- The author's name on every record ---------------------------------------------------------
# A history row points at its author (`history_user`); the row also keeps the author's name as
# it was, so that the row still says who if the account is ever gone (accounts are deactivated,
# not deleted — the admin refuses deleting one — but a name survives a database surgery too).


def author_name(user) -> str:
    """The name a history row keeps for `user`: their full name, else their username."""
    if user is None:
        return ""
    return (getattr(user, "full_name", "") or user.get_username())[:150]


class HistoricalAuthorName(models.Model):
    """Base of every historical model of the portal: the author's name beside the author."""

    history_user_name = models.CharField(
        gettext_lazy("author"), max_length=150, blank=True, default=""
    )

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs):
        # simple_history builds every record with `history_user=<user>` as a keyword, whether
        # one by one (post_save) or in bulk (bulk_history_create); rows read back from the
        # database come positionally and are left alone.
        user = kwargs.get("history_user")
        if user is not None and not kwargs.get("history_user_name"):
            kwargs["history_user_name"] = author_name(user)
        super().__init__(*args, **kwargs)


class HistoricalRecords(SimpleHistoricalRecords):
    """The portal's `HistoricalRecords`: simple_history's, whose records also keep the author's
    name (`history_user_name`). Every model with history uses this one."""

    def __init__(self, *args, bases=(HistoricalAuthorName,), **kwargs):
        super().__init__(*args, bases=bases, **kwargs)


def backfill_author_names(apps, app_label: str) -> None:
    """For a data migration: fill `history_user_name` of the app's existing history rows from
    their authors (one UPDATE per historical table)."""
    user_model = apps.get_model("core", "User")
    author = user_model.objects.filter(pk=models.OuterRef("history_user_id"))
    name = models.Case(
        models.When(full_name="", then=models.F("username")), default=models.F("full_name")
    )
    for model in apps.get_app_config(app_label).get_models():
        if not model.__name__.startswith("Historical"):
            continue
        if "history_user_name" not in {f.name for f in model._meta.get_fields()}:
            continue
        model._base_manager.filter(history_user__isnull=False, history_user_name="").update(
            history_user_name=models.Subquery(
                author.annotate(name=name).values("name")[:1], output_field=models.CharField()
            )
        )


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
                user=str(user) if user else (record.history_user_name or _("System")),
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


# --- Writing history with the action's name -------------------------------------------------
# Every historical record names the action that wrote it (`history_change_reason`): services
# name theirs ("branches.organization.dissolve"); anything else (the admin, a fixture) gets
# "<app>.<model>.create|update|delete" from the receiver below, so no row is nameless. Bulk and
# queryset-update paths go through the helpers here, which write the history rows too.

ACTION_BY_TYPE = {"+": "create", "~": "update", "-": "delete"}


@receiver(pre_create_historical_record, dispatch_uid="core_history_action_name")
def _name_the_action(sender, instance, history_instance, **kwargs) -> None:
    if not history_instance.history_change_reason:
        kind = ACTION_BY_TYPE.get(history_instance.history_type, "change")
        history_instance.history_change_reason = f"{instance._meta.label_lower}.{kind}"


def save_with_action(instance: models.Model, action: str, **save_kwargs) -> None:
    """`instance.save(**save_kwargs)`, its history row named `action` (and only that save's:
    the name is cleared afterwards, so a later plain save is not named after this one)."""
    instance._change_reason = action
    try:
        instance.save(**save_kwargs)
    finally:
        del instance._change_reason


def update_with_action(queryset: models.QuerySet, action: str, **changes) -> int:
    """`queryset.update(**changes)` that leaves a history row per object, named `action`.

    Rows are locked and saved one by one: this is for the few rows a workflow touches (a
    dissolution, an expiry), not for bulk data loads (see `bulk_update_with_action`).
    """
    count = 0
    with transaction.atomic():
        for obj in queryset.select_for_update():
            for name, value in changes.items():
                setattr(obj, name, value)
            save_with_action(obj, action, update_fields=list(changes))
            count += 1
    return count


def bulk_create_with_action(
    model, objs, action: str, *, acting_user=None, batch_size: int = 500
) -> list:
    """bulk_create with one history row per object, named `action`; the rows name
    `acting_user` (else the request's user, through simple_history's middleware)."""
    return bulk_create_with_history(
        objs, model, batch_size=batch_size, default_change_reason=action, default_user=acting_user
    )


def bulk_update_with_action(
    model, objs, fields, action: str, *, acting_user=None, batch_size: int = 500
) -> int:
    """bulk_update with one history row per object, named `action` (and `acting_user`)."""
    return bulk_update_with_history(
        objs,
        model,
        fields,
        batch_size=batch_size,
        default_change_reason=action,
        default_user=acting_user,
    )
