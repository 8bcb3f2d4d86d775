"""Reads every app shares: one object of a user-scoped queryset, or a 404."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404


def get_or_404(queryset: QuerySet, pk, message: str | None = None, **filters) -> Model:
    """The row `pk` of `queryset` (already scoped to the user), else Http404 — also for a pk
    that is not a number (?parent=abc). Only the lookup itself is guarded: the queryset is
    built by the caller, so an error in building it is never turned into a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    try:
        return queryset.get(pk=pk, **filters)
    except queryset.model.DoesNotExist:
        raise Http404(message) from None
