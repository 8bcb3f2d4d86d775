"""Who may open which venues page: one table of (url, role, expected status).

Anonymous visitors are sent to log in (302). Venues, rooms, calendars and the statistics are
shared: every signed-in user reads them, so another organization's secretary gets 200 there
and 403 where only the venue's owner or bureau staff may act. A booking's own pages are scoped:
for another organization's secretary (and a liaison of no organization involved) the booking
does not exist (404, before any rule is asked); for a reader who may not change it, 403.
"""

from __future__ import annotations

import pytest

from tests.venues.conftest import at, days_ahead

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "staff_user",
    "secretary_user",  # the booking organization's secretary (branch A)
    "supervisor_user",
    "liaison_user",
    "viewer_user",
    "other_secretary",  # another organization's secretary (branch B)
    "owner",  # the secretary of the organization that owns the venue
)

# url template: expected status for each of ROLES, in that order
#   anon staff  sec  sup  liai view other owner
PAGES = {
    "/venues/": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/new/": (302, 200, 200, 403, 403, 403, 200, 200),
    "/venues/{venue}/": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/{venue}/edit/": (302, 200, 403, 403, 403, 403, 403, 200),
    "/venues/{venue}/day/": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/{venue}/rooms/add/": (302, 200, 403, 403, 403, 403, 403, 200),
    "/venues/{venue}/closures/add/": (302, 200, 403, 403, 403, 403, 403, 200),
    "/venues/999999/edit/": (302, 404, 404, 404, 404, 404, 404, 404),
    "/venues/rooms/{room}/": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/rooms/{room}/edit/": (302, 200, 403, 403, 403, 403, 403, 200),
    "/venues/rooms/{room}/book/": (302, 200, 200, 403, 403, 403, 200, 200),
    "/venues/free/": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/bookings/": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/bookings/export.xlsx": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/bookings/{booking}/": (302, 200, 200, 200, 404, 200, 404, 200),
    "/venues/bookings/{booking}/change/": (302, 200, 200, 403, 404, 403, 404, 200),
    "/venues/approvals/": (302, 200, 200, 403, 403, 403, 200, 200),
    "/venues/stats/": (302, 200, 200, 200, 200, 200, 200, 200),
    "/venues/stats/export.xlsx": (302, 200, 200, 200, 200, 200, 200, 200),
}


@pytest.fixture
def booking(venue_setup, book):
    day = days_ahead(3)
    return book(venue_setup.oath, at(day, 9), at(day, 10), purpose="入党宣誓")


def _user(request, venue_setup, role):
    if role == "anonymous":
        return None
    if role == "owner":
        return venue_setup.owner_secretary
    return request.getfixturevalue(role)


@pytest.mark.parametrize(
    "template,role,expected",
    [
        (template, role, status)
        for template, statuses in PAGES.items()
        for role, status in zip(ROLES, statuses, strict=True)
    ],
)
def test_permission_table(request, client, venue_setup, booking, template, role, expected):
    url = template.format(venue=venue_setup.venue.pk, room=venue_setup.oath.pk, booking=booking.pk)
    user = _user(request, venue_setup, role)
    if user:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]
