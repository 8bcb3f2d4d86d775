"""Calendar addresses (.ics feeds): made on the room's page, listed and revoked on the
profile page, read by phone calendar apps without signing in (the address is the key)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from core.views import ActionView
from venues import selectors
from venues.ics import room_calendar
from venues.services.feeds import (
    active_feed_tokens,
    feed_token_issue,
    feed_token_read,
    feed_token_revoke,
)
from venues.views.common import RoomObjectMixin


class FeedTokenIssueView(RoomObjectMixin, ActionView):
    """Make (or show again) the signed-in person's calendar address for this room."""

    permission_required = "venues.view_venue"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        room = self.object
        feed_token_issue(user=request.user, room=room)
        messages.success(request, _("Your calendar address for this room is ready below."))
        return redirect(f"{room.get_absolute_url()}#feed")


class FeedTokenRevokeView(ActionView):
    """Revoke one of the signed-in person's own calendar addresses."""

    permission_required = "venues.view_venue"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = feed_token_revoke(user=request.user, pk=pk)
        messages.success(
            request,
            _("The calendar address for %(room)s no longer works.") % {"room": token.room},
        )
        return redirect(reverse("profile") + "#feeds")


@method_decorator(login_not_required, name="dispatch")
class RoomFeedView(View):
    """The room's calendar for a phone's calendar app. Phone apps cannot sign in, so the URL
    carries the holder's own token (venues.FeedToken): revocable, expiring, and dead once the
    holder is deactivated. Holds times, purposes and organization names, nothing personal.
    The one page without a permission: the token is the key (not a PortalPermissionMixin view)."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int, token: str) -> HttpResponse:
        feed = feed_token_read(room_pk=pk, token=token)
        if not feed.user.has_perm("venues.view_venue"):
            raise Http404
        room = feed.room
        body = room_calendar(room, selectors.room_feed_bookings(room), host=request.get_host())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="room-{room.pk}.ics"'
        response["Cache-Control"] = "private, no-store"
        return response


def profile_feeds_context(request: HttpRequest) -> dict:
    """The profile page's list of the person's calendar addresses."""
    tokens = list(
        active_feed_tokens()
        .filter(user=request.user)
        .select_related("room__venue")
        .order_by("room__venue__name", "room__name")
    )
    for token in tokens:
        token.url = request.build_absolute_uri(token.get_feed_url())
    return {"tokens": tokens}
