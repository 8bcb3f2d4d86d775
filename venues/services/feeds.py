"""Calendar addresses (.ics feeds): one per person and room, revocable, with an expiry."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.models import User
from venues.models import FeedToken, Room


def active_feed_tokens():
    now = timezone.now()
    return FeedToken.objects.filter(
        revoked_at__isnull=True, expires_at__gt=now, user__is_active=True
    )


@transaction.atomic
def feed_token_issue(*, user: User, room: Room) -> FeedToken:
    """The person's active address for the room, made if they have none."""
    current = active_feed_tokens().filter(user=user, room=room).first()
    if current is not None:
        return current
    token = FeedToken(
        user=user,
        room=room,
        expires_at=timezone.now() + datetime.timedelta(days=settings.FEED_TOKEN_DAYS),
    )
    token.full_clean()
    token.save()
    return token


@transaction.atomic
def feed_token_revoke(*, user: User, pk: int) -> FeedToken:
    """Revoke one of the person's own addresses (another's is a 404)."""
    try:
        token = FeedToken.objects.select_for_update(of=("self",)).get(pk=pk, user=user)
    except FeedToken.DoesNotExist:
        raise Http404 from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def feed_token_read(*, room_pk: int, token: str) -> FeedToken:
    """The active address for a feed request, or 404; notes when it was last read (at most
    once an hour, so a phone polling every few minutes does not write every time)."""
    found = (
        active_feed_tokens()
        .select_related("room__venue", "user")
        .filter(room_id=room_pk, token=token, room__venue__is_active=True)
        .first()
    )
    if found is None:
        raise Http404
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > datetime.timedelta(hours=1):
        FeedToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found
