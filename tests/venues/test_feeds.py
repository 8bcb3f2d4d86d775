"""Calendar addresses (.ics feeds) are each person's own: made on the room's page, listed on
the profile page, revocable one by one, ending at their expiry or when the holder is
deactivated. (The old address was one HMAC per room, shared by everyone who could see the room
and never revocable without changing SECRET_KEY.)"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from venues.models import FeedToken
from venues.services.feeds import feed_token_issue

pytestmark = pytest.mark.django_db


def _dead(response) -> bool:
    """No calendar: a 404 (or, for an anonymous client, the login page)."""
    return response.status_code in (302, 404) and b"BEGIN:VCALENDAR" not in response.content


def test_each_person_gets_their_own_address(client, venue_setup, secretary_user, staff_user):
    room = venue_setup.meeting
    client.force_login(secretary_user)
    page = client.get(f"/venues/rooms/{room.pk}/").content.decode()
    assert ".ics" not in page  # no address until the person asks for one
    response = client.post(f"/venues/rooms/{room.pk}/feed/new/")
    assert response.status_code == 302
    mine = FeedToken.objects.get(user=secretary_user, room=room)
    assert mine.get_feed_url() in client.get(f"/venues/rooms/{room.pk}/").content.decode()
    client.post(f"/venues/rooms/{room.pk}/feed/new/")  # asking again shows the same one
    assert FeedToken.objects.filter(user=secretary_user, room=room).count() == 1

    theirs = feed_token_issue(user=staff_user, room=room)
    assert theirs.token != mine.token
    client.logout()
    assert client.get(mine.get_feed_url()).status_code == 200
    assert client.get(theirs.get_feed_url()).status_code == 200
    # A token is bound to its room.
    other_room_url = mine.get_feed_url().replace(
        f"/rooms/{room.pk}/", f"/rooms/{venue_setup.oath.pk}/"
    )
    assert _dead(client.get(other_room_url))


def test_the_profile_lists_and_revokes_one_by_one(client, venue_setup, secretary_user):
    meeting = feed_token_issue(user=secretary_user, room=venue_setup.meeting)
    oath = feed_token_issue(user=secretary_user, room=venue_setup.oath)
    client.force_login(secretary_user)
    profile = client.get(reverse("profile")).content.decode()
    assert str(venue_setup.meeting.name) in profile and str(venue_setup.oath.name) in profile
    assert client.post(f"/venues/feeds/{meeting.pk}/revoke/").status_code == 302
    client.logout()
    assert _dead(client.get(meeting.get_feed_url()))
    assert client.get(oath.get_feed_url()).status_code == 200
    client.force_login(secretary_user)
    profile = client.get(reverse("profile")).content.decode()
    assert f"/venues/feeds/{meeting.pk}/revoke/" not in profile
    assert f"/venues/feeds/{oath.pk}/revoke/" in profile


def test_nobody_revokes_another_persons_address(client, venue_setup, secretary_user, staff_user):
    theirs = feed_token_issue(user=secretary_user, room=venue_setup.meeting)
    client.force_login(staff_user)
    assert client.post(f"/venues/feeds/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_address_expires_and_dies_with_its_holder(client, venue_setup, secretary_user):
    feed = feed_token_issue(user=secretary_user, room=venue_setup.meeting)
    assert feed.expires_at - timezone.now() > datetime.timedelta(days=360)
    assert client.get(feed.get_feed_url()).status_code == 200
    FeedToken.objects.filter(pk=feed.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert _dead(client.get(feed.get_feed_url()))
    fresh = feed_token_issue(user=secretary_user, room=venue_setup.meeting)
    assert fresh.pk != feed.pk and client.get(fresh.get_feed_url()).status_code == 200
    secretary_user.is_active = False
    secretary_user.save()
    assert _dead(client.get(fresh.get_feed_url()))


def test_reading_notes_the_time_at_most_hourly(
    client, venue_setup, secretary_user, django_assert_max_num_queries
):
    feed = feed_token_issue(user=secretary_user, room=venue_setup.meeting)
    client.get(feed.get_feed_url())
    feed.refresh_from_db()
    first = feed.last_used_at
    assert first is not None
    client.get(feed.get_feed_url())
    feed.refresh_from_db()
    assert feed.last_used_at == first
