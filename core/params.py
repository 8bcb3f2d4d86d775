"""Values read from a query string, never a 500: a year, date, month or week the portal can
compute with.

Every page and export that takes `?year=`, `?date=`, `?month=` or `?week=` reads it here, so
"0", "-1", "abc", "2026-02-30", "9999-99-99" or a huge number falls back to a default (this
year, today, this month, this week) instead of reaching `datetime.date(…)` or date arithmetic
that overflows. Given the request, a value that was sent but refused leaves a message saying
so, naming the value, so the page does not silently show something else.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

EARLIEST_YEAR = 2000
# Dates, months and weeks may look this many years ahead (bookings, plans); beyond that a value
# is a typo or an attack, and date arithmetic near year 9999 overflows.
YEARS_AHEAD = 10

ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)


PARAMETER_NAMES = {
    "year": pgettext_lazy("query parameter", "year"),
    "date": pgettext_lazy("query parameter", "date"),
    "month": pgettext_lazy("query parameter", "month"),
    "week": pgettext_lazy("query parameter", "week"),
}


def _raw(query: Mapping, name: str) -> str:
    return str(query.get(name, "") or "").strip()


def _refused(request, name: str, raw: str, shown: str) -> None:
    if request is not None and raw:
        messages.warning(
            request,
            _("“%(value)s” is not a valid %(name)s; %(shown)s is shown instead.")
            % {"value": raw[:40], "name": PARAMETER_NAMES.get(name, name), "shown": shown},
        )


def _latest_year() -> int:
    return timezone.localdate().year + YEARS_AHEAD


def year_param(
    query: Mapping, *, latest: int | None = None, default: int | None = None, request=None
) -> int:
    """`query["year"]` when it is a whole number from 2000 to `latest` (next year by default),
    else `default` (the current year)."""
    today = timezone.localdate()
    latest = today.year + 1 if latest is None else latest
    default = today.year if default is None else default
    raw = _raw(query, "year")
    try:
        year = int(raw) if raw.isascii() else None
    except ValueError:
        year = None
    if year is not None and EARLIEST_YEAR <= year <= latest:
        return year
    _refused(request, "year", raw, str(default))
    return default


def date_param(
    query: Mapping, name: str = "date", *, default: datetime.date | None = None, request=None
) -> datetime.date:
    """`query[name]` when it is a real calendar date YYYY-MM-DD from 2000 to ten years ahead,
    else `default` (today)."""
    default = timezone.localdate() if default is None else default
    raw = _raw(query, name)
    match = ISO_DATE.fullmatch(raw)
    if match:
        year, month, day = (int(part) for part in match.groups())
        if EARLIEST_YEAR <= year <= _latest_year():
            try:
                return datetime.date(year, month, day)
            except ValueError:
                pass
    _refused(request, name, raw, f"{default:%Y-%m-%d}")
    return default


def month_param(
    query: Mapping, name: str = "month", *, default: datetime.date | None = None, request=None
) -> datetime.date:
    """The first day of the month `query[name]` names (YYYY-MM, from 2000 to ten years ahead),
    else of `default`'s month (this month)."""
    default = (timezone.localdate() if default is None else default).replace(day=1)
    raw = _raw(query, name)
    match = ISO_MONTH.fullmatch(raw)
    if match:
        year, month = (int(part) for part in match.groups())
        if EARLIEST_YEAR <= year <= _latest_year() and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    _refused(request, name, raw, f"{default:%Y-%m}")
    return default


def week_param(
    query: Mapping, name: str = "week", *, default: datetime.date | None = None, request=None
) -> datetime.date:
    """The Monday of the week holding the date `query[name]` (as `date_param` reads it), else
    of `default`'s week (this week)."""
    day = date_param(query, name, default=default, request=request)
    return day - datetime.timedelta(days=day.weekday())
