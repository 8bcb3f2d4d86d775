"""Reminders: what someone must do soon, computed every day and sent as notifications.

Each app that has reminders registers its kinds from its AppConfig.ready (`register(kind,
label, provider)`); core imports no app. A provider takes the day and returns `Reminder`s,
each naming its item, the page that resolves it and the people who can act on it, in a
bounded number of queries whatever the number of organizations.

`send_reminders(today=…)` collects every kind and hands each reminder to `core.notifications
.notify` with its `key`: a recipient never gets the same key twice, so the daily run (the job
`send_reminders_task`, scheduled by settings.JOB_SCHEDULE, or `manage.py send_reminders`)
sends nothing new when run again. `dry_run=True` sends nothing and lists what would be sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django_tasks import task

from core.models import Notification, Role, User
from core.notifications import notify


@dataclass
class Reminder:
    """One thing to do, for the people who can do it.

    `key` is stable for the item and the occasion ("meetings-overdue:<org pk>:2026-12"): the
    same reminder computed on another day has the same key and is not sent again.
    """

    recipients: list[User]
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""


Provider = Callable[[datetime.date], Iterable[Reminder]]


@dataclass(frozen=True)
class ReminderKind:
    kind: str
    label: object  # a (lazy) translated string: what the summary calls this kind
    provider: Provider


_registry: dict[str, ReminderKind] = {}


def register(kind: str, label, provider: Provider) -> None:
    """Register (or replace) the provider of a kind of reminder (from AppConfig.ready)."""
    _registry[kind] = ReminderKind(kind=kind, label=label, provider=provider)


def registered_kinds() -> list[ReminderKind]:
    """The registered kinds, in the order they were registered."""
    return list(_registry.values())


def get_kind(kind: str) -> ReminderKind:
    return _registry[kind]


def collect(today: datetime.date, *, kinds: Iterable[str] | None = None) -> list[Reminder]:
    """Every reminder due on `today` (of the given kinds, or all)."""
    wanted = None if kinds is None else set(kinds)
    reminders: list[Reminder] = []
    for item in registered_kinds():
        if wanted is not None and item.kind not in wanted:
            continue
        reminders.extend(item.provider(today))
    return reminders


@dataclass
class KindSummary:
    """What a run did (or, in a dry run, would do) for one kind."""

    kind: str
    label: object
    reminders: int = 0  # reminders computed
    notifications: int = 0  # inbox items created (a dry run: that would be created)
    without_recipient: int = 0  # reminders nobody could receive (no account to act)
    items: list[tuple[Reminder, list[User]]] = field(default_factory=list)  # new, per reminder


def send_reminders(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    kinds: Iterable[str] | None = None,
) -> dict[str, KindSummary]:
    """Collect the reminders of `today` (local date by default) and notify their recipients.

    Each reminder is notified in its own transaction (notify's), so what was sent stays sent
    if a later one fails; a second run sends nothing new (keys). With `dry_run`, nothing is
    written: the summary lists the reminders and the recipients who would get something new.
    """
    today = today or timezone.localdate()
    # The texts are in the portal's language whatever language the caller runs in.
    with translation.override(settings.LANGUAGE_CODE):
        return _send(today=today, dry_run=dry_run, kinds=kinds)


def _send(
    *, today: datetime.date, dry_run: bool, kinds: Iterable[str] | None
) -> dict[str, KindSummary]:
    kinds = None if kinds is None else set(kinds)
    summaries = {
        item.kind: KindSummary(kind=item.kind, label=item.label)
        for item in registered_kinds()
        if kinds is None or item.kind in kinds
    }
    reminders = collect(today, kinds=kinds)
    already = _already_notified(reminders) if dry_run else set()
    for reminder in reminders:
        summary = summaries[reminder.kind]
        summary.reminders += 1
        recipients = [
            user for user in _unique(reminder.recipients) if user.is_active and not user.is_system
        ]
        if not recipients:
            summary.without_recipient += 1
            continue
        if dry_run:
            new = [user for user in recipients if (user.pk, reminder.key) not in already]
        else:
            created = notify(
                recipients=recipients,
                kind=reminder.kind,
                title=reminder.title,
                body=reminder.body,
                url=reminder.url,
                key=reminder.key,
            )
            created_for = {notification.user_id for notification in created}
            new = [user for user in recipients if user.pk in created_for]
        if new:
            summary.notifications += len(new)
            summary.items.append((reminder, new))
    return summaries


def _unique(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.pk is not None:
            seen.setdefault(user.pk, user)
    return list(seen.values())


def _already_notified(reminders: list[Reminder]) -> set[tuple[int, str]]:
    """(user id, key) pairs that already have an inbox item (one query per 500 keys)."""
    keys = sorted({reminder.key for reminder in reminders if reminder.key})
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 500):
        found.update(
            Notification.objects.filter(key__in=keys[start : start + 500]).values_list(
                "user_id", "key"
            )
        )
    return found


@task()
def send_reminders_task(today: str | None = None) -> dict[str, int]:
    """The daily job: send today's reminders; returns the new inbox items per kind."""
    day = datetime.date.fromisoformat(today) if today else None
    summaries = send_reminders(today=day)
    return {kind: summary.notifications for kind, summary in summaries.items()}


# --- Helpers the apps' providers share ----------------------------------------------------------


def bureau_staff() -> list[User]:
    """The active bureau staff accounts (the approvers of what only the bureau decides)."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.STAFF) | Q(is_superuser=True))
        .order_by("pk")
    )


def local_midnight(day: datetime.date) -> datetime.datetime:
    """00:00 of `day` in the portal's time zone (for "waiting since before that day")."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def waiting_since_q(field_name: str, today: datetime.date, days: int) -> Q:
    """Rows whose `field_name` (a datetime) fell on `today - days` or earlier (local dates):
    waiting `days` days or more on `today`."""
    cutoff = local_midnight(today - datetime.timedelta(days=days - 1))
    return Q(**{f"{field_name}__lt": cutoff})


def month_key(day: datetime.date) -> str:
    return f"{day:%Y-%m}"
