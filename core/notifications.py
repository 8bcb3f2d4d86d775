"""Notifications: an inbox item per user, and copies by email and text message.

`notify(recipients=…, kind=…, title=…, body=…, url=…, key=…)` writes one inbox item per
active recipient (never the system actor) and, once the transaction commits, sends the copies
each recipient chose on their profile (`User.notify_by_email`, `User.notify_by_sms`). Each copy
is a `Delivery` row written with the item (pending), so a copy is never lost silently: the send
after commit marks it sent, or failed with the error (and logs it), and never raises into the
caller. `send_pending_deliveries()` sends what is still pending (a worker that died between
commit and send).

A non-empty `key` makes notify idempotent per recipient: a recipient who already has an item
with that key gets nothing new, also when two runs race (the unique (user, key) constraint).

The texts are short Chinese sentences in the portal's language whatever language the request
that caused them was in: the email names the item and its link (PORTAL_URL + url); the text
message is `SMS_SIGNATURE + title + short link` (the inbox item's own address, which opens the
item's page and marks it read), kept to 70 characters where the title allows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Delivery, Notification, User
from core.sms import get_sms_backend

logger = logging.getLogger(__name__)

SMS_MAX_LENGTH = 70  # one GSM/UCS-2 text message of Chinese characters


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Put a notification in each active recipient's inbox and send the chosen copies on
    commit. Returns the notifications created (none for a recipient who already had `key`)."""
    users: dict[int, User] = {}
    for user in recipients:
        if user is None or user.pk is None or user.pk in users:
            continue
        if not user.is_active or user.is_system:
            continue
        users[user.pk] = user
    if not users:
        return []
    # Only the recipient differs between the items: one check of the fields is enough.
    Notification(
        user=next(iter(users.values())), kind=kind, title=title, body=body, url=url, key=key
    ).full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        if key:
            created = _create_once_per_key(
                users, kind=kind, title=title, body=body, url=url, key=key
            )
        else:
            created = Notification.objects.bulk_create(
                [
                    Notification(user=user, kind=kind, title=title, body=body, url=url)
                    for user in users.values()
                ]
            )
        deliveries = []
        for notification in created:
            deliveries.extend(_deliveries_for(notification))
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
            ids = [notification.pk for notification in created]
            transaction.on_commit(lambda: send_pending_deliveries(notification_ids=ids))
    return created


def _create_once_per_key(
    users: dict[int, User], *, kind: str, title: str, body: str, url: str, key: str
) -> list[Notification]:
    had_key = set(
        Notification.objects.filter(user_id__in=users, key=key).values_list("user_id", flat=True)
    )
    created = []
    for user_id, user in users.items():
        if user_id in had_key:
            continue
        # get_or_create retries the read when a concurrent run inserted the same (user, key)
        # first (IntegrityError from the unique constraint): that run sends the copies.
        notification, is_new = Notification.objects.get_or_create(
            user=user,
            key=key,
            defaults={"kind": kind, "title": title, "body": body, "url": url},
        )
        if is_new:
            created.append(notification)
    return created


def _deliveries_for(notification: Notification) -> list[Delivery]:
    user = notification.user
    deliveries = []
    if user.notify_by_email and user.email:
        deliveries.append(
            Delivery(notification=notification, channel=Delivery.Channel.EMAIL, address=user.email)
        )
    if user.notify_by_sms and user.phone:
        deliveries.append(
            Delivery(notification=notification, channel=Delivery.Channel.SMS, address=user.phone)
        )
    return deliveries


# --- Sending the copies -------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """PORTAL_URL + path (a path that is already absolute is kept)."""
    if not path:
        path = reverse("notifications:inbox")
    if path.startswith(("http://", "https://")):
        return path
    return settings.PORTAL_URL + ("" if path.startswith("/") else "/") + path


def email_subject(notification: Notification) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Party Building Alliance] %(title)s") % {"title": notification.title}


def email_text(notification: Notification) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("Dear %(name)s,") % {"name": notification.user},
            "",
            notification.title,
        ]
        if notification.body:
            lines.append(notification.body)
        lines += [
            "",
            _("Open this link to see it: %(link)s") % {"link": absolute_url(notification.url)},
            "",
            _("This message was sent by the Party Building Alliance portal; please do not reply."),
        ]
    return "\n".join(lines) + "\n"


def sms_text(notification: Notification) -> str:
    """SMS_SIGNATURE + title + short link, the title shortened to keep 70 characters when a
    readable part of it (10 characters) still fits; else the message runs longer."""
    link = absolute_url(reverse("notifications:open", args=[notification.pk]))
    signature = settings.SMS_SIGNATURE
    title = notification.title
    room = SMS_MAX_LENGTH - len(signature) - 1 - len(link)
    if len(title) > room >= 10:
        title = title[: room - 1] + "…"
    return f"{signature}{title} {link}"


def send_pending_deliveries(*, notification_ids: Iterable[int] | None = None) -> int:
    """Send the pending copies (of these notifications, or all); return how many were sent.

    A failed copy is logged with its traceback and recorded (status failed, the error text);
    nothing is raised to the caller, whose own work has already committed."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).select_related(
        "notification__user"
    )
    if notification_ids is not None:
        pending = pending.filter(notification_id__in=list(notification_ids))
    sent = 0
    sms_backend = None
    email_connection = None
    try:
        for delivery in pending.order_by("pk"):
            try:
                if delivery.channel == Delivery.Channel.EMAIL:
                    if email_connection is None:
                        email_connection = mail.get_connection()
                    _send_email(delivery, email_connection)
                else:
                    if sms_backend is None:
                        sms_backend = get_sms_backend()
                    sms_backend.send(delivery.address, sms_text(delivery.notification))
            except Exception as error:  # any backend's failure: record it, go on with the rest
                logger.exception(
                    "Notification %s: %s copy to %s failed",
                    delivery.notification_id,
                    delivery.channel,
                    delivery.address,
                )
                _record(delivery, Delivery.Status.FAILED, error=f"{type(error).__name__}: {error}")
            else:
                _record(delivery, Delivery.Status.SENT)
                sent += 1
    finally:
        if email_connection is not None:
            try:
                email_connection.close()
            except Exception:
                logger.exception("Closing the email connection failed")
    return sent


def _send_email(delivery: Delivery, connection) -> None:
    notification = delivery.notification
    message = mail.EmailMessage(
        subject=email_subject(notification),
        body=email_text(notification),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        connection=connection,
    )
    message.send(fail_silently=False)


def _record(delivery: Delivery, status: str, *, error: str = "") -> None:
    delivery.status = status
    delivery.error = error[:2000]
    delivery.sent_at = timezone.now() if status == Delivery.Status.SENT else None
    delivery.save(update_fields=["status", "error", "sent_at"])


# --- The inbox -------------------------------------------------------------------------------


def inbox_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    if not user or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark the user's own notification read (once: the first reading time is kept)."""
    if notification.user_id != user.pk:
        raise ServiceError(_("This notification is not yours."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    """Mark all the user's unread notifications read; return how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
