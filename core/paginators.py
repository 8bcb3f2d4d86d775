"""A paginator whose total is cached: at province scale a list's COUNT(*) over hundreds of
thousands of rows cost more than the rest of the page.

    Paginator = CountCachedPaginator(queryset, 25, generation=ACTIVITY_ROWS)

The count is cached under the `Generation` of the models the rows (and their filters and the
reader's scope) come from, keyed by the count query's own SQL and parameters: another filter,
another scope or another day (a date in the query) is another key, and a committed write to
one of those models makes every cached count stale at once (core.generations).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from core.generations import Generation


class CountCachedPaginator(Paginator):
    def __init__(self, object_list, per_page, *args, generation: Generation, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.generation = generation

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not settings.LIST_COUNTS_CACHED or not isinstance(rows, QuerySet):
            return super().count
        counted = rows.order_by()  # the order changes nothing of the count
        sql, params = counted.query.sql_with_params()
        key = hashlib.sha256(repr((counted.db, sql, params)).encode()).hexdigest()
        return self.generation.cached(("count", key), counted.count)
