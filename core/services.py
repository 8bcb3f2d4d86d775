"""Writes of the ground floor: the 大字 setting on an account and the export log (which the
exporter in core.xlsx writes for every download)."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict

from core.models import ExportLog, User


@transaction.atomic
def user_toggle_large_text(*, user: User) -> bool:
    user.large_text = not user.large_text
    user.save(update_fields=["large_text"])
    return user.large_text


def export_log_record(
    *,
    user: User,
    export: str,
    query: QueryDict | dict | str = "",
    unmasked: bool = False,
    rows: int | None = None,
) -> ExportLog:
    """Record that `user` downloaded `export` with this filter (and whether it was unmasked)."""
    if isinstance(query, QueryDict):
        query = query.urlencode()
    elif isinstance(query, dict):
        query = "&".join(f"{key}={value}" for key, value in sorted(query.items()))
    return ExportLog.objects.create(
        user=user, export=export, query=query, unmasked=unmasked, rows=rows
    )
