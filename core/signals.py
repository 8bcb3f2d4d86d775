"""Signals any app sends so that what is computed above it (caches, summaries) can drop.

`records_changed` is sent with sender=<the model class> once a bulk write of that model's rows
has committed — a write that sends no post_save/post_delete per row (`bulk_create`,
`bulk_update`, `queryset.update()`/`.delete()`, an import). Any app may send it; any app above
may listen (the 首页 drops its cached figures). Send it through
`announce_records_changed(model)` inside the writing transaction: the signal then goes out on
commit, and never if the transaction rolls back.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent with sender=<model class>, after the bulk write's transaction has committed.
records_changed = Signal()


def announce_records_changed(model) -> None:
    """Send `records_changed` for `model` when the current transaction commits (at once when
    there is none)."""
    transaction.on_commit(lambda: records_changed.send(sender=model))
