"""Signals the activities app sends to the apps above it (it imports none of them).

`activity_held` is sent once the transaction that marked an activity held has committed
(`transaction.on_commit`), whichever path saved it — a service, the admin or a bulk step that
saves instances. The alliance app listens to fulfil the claims the activity served.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from activities.models import Activity, ActivityStatus

# Sent with sender=Activity and activity_id=<pk>, after commit.
activity_held = Signal()


@receiver(post_save, sender=Activity, dispatch_uid="activities_announce_held")
def _announce_held(sender, instance: Activity, **kwargs) -> None:
    if instance.status != ActivityStatus.HELD:
        return
    activity_id = instance.pk
    transaction.on_commit(
        lambda: activity_held.send(sender=Activity, activity_id=activity_id), robust=False
    )
