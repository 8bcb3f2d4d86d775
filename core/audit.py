"""The audit log: who changed what (every model's history), who downloaded which export (the
export log) and who saw whose personal data (the access log), as one list for the bureau's
audit page (core.audit_views).

Writing: `access_log_record(...)` is one INSERT, called when a member's page is opened and
when an unmasked export is delivered.

Reading: `audit_entries(...)` is one UNION ALL over the history tables of every model with
history and the two logs, filtered in each branch (actor, object, dates) and ordered by time:
a page of it costs one COUNT and one SELECT whatever the number of rows or kinds of objects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from axes.helpers import get_client_ip_address
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import AccessLog, ExportLog, User

EXPORT_LOG = "core.exportlog"
ACCESS_LOG = "core.accesslog"

# The first of these paths that a model has names its objects in the audit list (the history
# row's own copy, so a deleted object keeps its name).
NAME_PATHS = (
    "name",
    "title",
    "full_name",
    "username",
    "text",
    "member__name",
    "organization__name",
    "activity__title",
    "rubric__title",
    "round__title",
    "item__title",
    "assessment__organization__name",
    "inspection__organization__name",
)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the login throttle reads it (django-axes, which honours the
    configured proxies), so that the access log and the lockouts agree."""
    if request is None:
        return None
    return get_client_ip_address(request) or None


def access_log_record(
    *,
    user: User,
    what: str,
    obj: models.Model | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
) -> AccessLog:
    """Record that `user` saw `obj`'s personal data (`what`: an AccessLog.What): one INSERT."""
    return AccessLog.objects.create(
        user=user,
        what=what,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        object_repr=str(obj)[:200] if obj is not None else "",
        detail=detail[:300],
        ip=client_ip(request),
    )


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    label: str  # "members.member", or EXPORT_LOG / ACCESS_LOG
    title: str
    history_model: type[models.Model] | None = None
    name_path: str | None = None


def _name_path(model: type[models.Model], history_model: type[models.Model]) -> str | None:
    for path in NAME_PATHS:
        current = history_model
        try:
            for part in path.split("__"):
                model_field = current._meta.get_field(part)
                current = model_field.related_model or current
        except FieldDoesNotExist:
            continue
        if isinstance(model_field, models.CharField | models.TextField):
            return path
    return None


@cache
def history_sources() -> tuple[Source, ...]:
    """Every model with history (simple_history marks them), in a stable order."""
    sources = []
    for model in apps.get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if not manager_name:
            continue
        history_model = getattr(model, manager_name).model
        sources.append(
            Source(
                label=model._meta.label_lower,
                title=str(model._meta.verbose_name),
                history_model=history_model,
                name_path=_name_path(model, history_model),
            )
        )
    return tuple(sorted(sources, key=lambda source: source.label))


def object_type_choices() -> list[tuple[str, str]]:
    choices = [(source.label, source.title) for source in history_sources()]
    choices += [(EXPORT_LOG, str(_("Export"))), (ACCESS_LOG, str(_("Personal data seen")))]
    return sorted(choices, key=lambda choice: choice[1])


@dataclass
class AuditFilter:
    actor: str = ""  # part of a username, a full name or a kept author name
    object_type: str = ""  # a label from object_type_choices()
    object: str = ""  # an id (digits) or part of the object's name
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


COLUMNS = (
    "a_when",
    "a_pk",
    "a_source",
    "a_kind",
    "a_object_id",
    "a_object_name",
    "a_actor_id",
    "a_actor_name",
    "a_detail",
)


def _text(value) -> Value:
    return Value(value, output_field=models.CharField())


def _user_name(prefix: str = "user__") -> Case:
    return Case(
        When(**{f"{prefix}full_name": ""}, then=F(f"{prefix}username")),
        default=F(f"{prefix}full_name"),
        output_field=models.CharField(),
    )


def _date_q(field: str, flt: AuditFilter) -> Q:
    q = Q()
    zone = timezone.get_current_timezone()
    if flt.date_from:
        start = datetime.datetime.combine(flt.date_from, datetime.time.min, tzinfo=zone)
        q &= Q(**{f"{field}__gte": start})
    if flt.date_to:
        end = datetime.datetime.combine(
            flt.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        q &= Q(**{f"{field}__lt": end})
    return q


def _actor_ids(flt: AuditFilter):
    text = flt.actor.strip()
    return User.objects.filter(Q(username__icontains=text) | Q(full_name__icontains=text)).values(
        "pk"
    )


def _history_branch(source: Source, flt: AuditFilter) -> models.QuerySet | None:
    model = source.history_model
    object_field = apps.get_model(source.label)._meta.pk.attname  # the object's id, copied
    qs = model._base_manager.order_by().filter(_date_q("history_date", flt))
    if flt.actor.strip():
        qs = qs.filter(
            Q(history_user_id__in=_actor_ids(flt))
            | Q(history_user_name__icontains=flt.actor.strip())
        )
    text = flt.object.strip()
    if text:
        if text.isdecimal():
            qs = qs.filter(**{object_field: int(text)})
        elif source.name_path:
            qs = qs.filter(**{f"{source.name_path}__icontains": text})
        else:
            return None
    name = (
        Coalesce(Cast(F(source.name_path), models.CharField()), _text(""))
        if source.name_path
        else _text("")
    )
    return qs.annotate(
        a_when=F("history_date"),
        a_pk=Cast(F("history_id"), models.BigIntegerField()),
        a_source=_text(source.label),
        a_kind=Cast(F("history_type"), models.CharField()),
        a_object_id=Cast(F(object_field), models.BigIntegerField()),
        a_object_name=name,
        a_actor_id=Cast(F("history_user_id"), models.BigIntegerField()),
        a_actor_name=Cast(F("history_user_name"), models.CharField()),
        a_detail=Coalesce(Cast(F("history_change_reason"), models.CharField()), _text("")),
    ).values(*COLUMNS)


def _export_branch(flt: AuditFilter) -> models.QuerySet:
    qs = ExportLog.objects.order_by().filter(_date_q("created_at", flt))
    if flt.actor.strip():
        qs = qs.filter(user_id__in=_actor_ids(flt))
    text = flt.object.strip()
    if text:
        qs = qs.filter(export__icontains=text)
    return qs.annotate(
        a_when=F("created_at"),
        a_pk=Cast(F("pk"), models.BigIntegerField()),
        a_source=_text(EXPORT_LOG),
        a_kind=Case(
            When(unmasked=True, then=_text("unmasked_export")),
            default=_text("export"),
            output_field=models.CharField(),
        ),
        a_object_id=Cast(Value(None), models.BigIntegerField()),
        a_object_name=Cast(F("export"), models.CharField()),
        a_actor_id=Cast(F("user_id"), models.BigIntegerField()),
        a_actor_name=_user_name(),
        a_detail=Cast(F("query"), models.CharField()),
    ).values(*COLUMNS)


def _access_branch(flt: AuditFilter) -> models.QuerySet:
    qs = AccessLog.objects.order_by().filter(_date_q("created_at", flt))
    if flt.object_type and flt.object_type != ACCESS_LOG:
        qs = qs.filter(object_type=flt.object_type)
    if flt.actor.strip():
        qs = qs.filter(user_id__in=_actor_ids(flt))
    text = flt.object.strip()
    if text:
        qs = (
            qs.filter(object_id=int(text))
            if text.isdecimal()
            else qs.filter(object_repr__icontains=text)
        )
    return qs.annotate(
        a_when=F("created_at"),
        a_pk=Cast(F("pk"), models.BigIntegerField()),
        a_source=_text(ACCESS_LOG),
        a_kind=Cast(F("what"), models.CharField()),
        a_object_id=Cast(F("object_id"), models.BigIntegerField()),
        a_object_name=Cast(F("object_repr"), models.CharField()),
        a_actor_id=Cast(F("user_id"), models.BigIntegerField()),
        a_actor_name=_user_name(),
        a_detail=Coalesce(
            Cast(F("ip"), models.CharField()), _text(""), output_field=models.CharField()
        ),
    ).values(*COLUMNS)


def audit_entries(flt: AuditFilter) -> models.QuerySet:
    """The audit log under `flt`, newest first, as one UNION ALL (rows are dicts of COLUMNS)."""
    branches = []
    for source in history_sources():
        if flt.object_type and flt.object_type != source.label:
            continue
        branch = _history_branch(source, flt)
        if branch is not None:
            branches.append(branch)
    if not flt.object_type or flt.object_type == EXPORT_LOG:
        branches.append(_export_branch(flt))
    if (
        not flt.object_type
        or flt.object_type == ACCESS_LOG
        or any(source.label == flt.object_type for source in history_sources())
    ):
        branches.append(_access_branch(flt))
    if not branches:
        return ExportLog.objects.none().values(*COLUMNS)
    first, *rest = branches
    return first.union(*rest, all=True).order_by("-a_when", "-a_pk")


def describe(rows: list[dict]) -> list[dict]:
    """Rows of `audit_entries` with what a reader needs: labels for their kind and source."""
    titles = dict(object_type_choices())
    labels = {
        "+": _("Created"),
        "~": _("Changed"),
        "-": _("Deleted"),
        "export": _("Export (masked)"),
        "unmasked_export": _("Export (unmasked)"),
        **{value: str(label) for value, label in AccessLog.What.choices},
    }
    return [_describe(row, titles, labels) for row in rows]


def _describe(row: dict, titles: dict, labels: dict) -> dict:
    kind = row["a_kind"]
    when = row["a_when"]
    if isinstance(when, str):  # SQLite returns a union's datetimes as text
        when = datetime.datetime.fromisoformat(when)
        if timezone.is_naive(when):
            when = timezone.make_aware(when, datetime.UTC)
    return {
        "when": when,
        "source": row["a_source"],
        "source_title": titles.get(row["a_source"], row["a_source"]),
        "kind": kind,
        "kind_label": labels.get(kind, kind),
        "object_id": row["a_object_id"],
        "object_name": row["a_object_name"],
        "actor_id": row["a_actor_id"],
        "actor_name": row["a_actor_name"] or _("System"),
        "detail": row["a_detail"],
    }
