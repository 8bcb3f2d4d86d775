"""Values read from a query string, never a 500: a year the portal can compute with.

Every page and export that takes `?year=` reads it here, so "0", "-1", "abc" or a huge number
falls back to the current year instead of reaching `datetime.date(year, …)`.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

EARLIEST_YEAR = 2000


def year_param(query: Mapping, *, latest: int | None = None) -> int:
    """`query["year"]` when it is a whole number from 2000 to `latest` (next year by default),
    else the current year."""
    today = timezone.localdate()
    latest = today.year + 1 if latest is None else latest
    try:
        year = int(str(query.get("year", "")).strip())
    except ValueError:
        return today.year
    return year if EARLIEST_YEAR <= year <= latest else today.year
