"""Who may do what with venues (django-rules).

Everyone signed in reads venues, rooms and calendars. A secretary or a liaison books for
their own organization; the venue's owners (secretaries of the owning organization or above
it) and bureau staff approve, reject and manage rooms and closures.
"""

from __future__ import annotations

import rules

from core.permissions import (
    is_bureau_staff,
    is_liaison,
    is_secretary,
    is_signed_in,
    organization_in_scope,
)


@rules.predicate
def has_organization(user) -> bool:
    return bool(user and user.is_authenticated and user.organization_id)


can_book = is_bureau_staff | ((is_secretary | is_liaison) & has_organization)


@rules.predicate
def owns_venue(user, venue) -> bool:
    return bool(
        venue is not None and is_secretary(user) and organization_in_scope(user, venue.owner)
    )


@rules.predicate
def owns_room_venue(user, room) -> bool:
    return bool(room is not None and owns_venue(user, room.venue))


@rules.predicate
def owns_booking_venue(user, booking) -> bool:
    return bool(booking is not None and owns_venue(user, booking.room.venue))


@rules.predicate
def books_for_own_organization(user, booking) -> bool:
    return bool(
        booking is not None
        and (is_secretary(user) or is_liaison(user))
        and organization_in_scope(user, booking.organization)
    )


can_manage_venue = is_bureau_staff | owns_venue
can_decide_booking = is_bureau_staff | owns_booking_venue

rules.add_perm("venues.view_venue", is_signed_in)
rules.add_perm("venues.add_venue", is_bureau_staff | is_secretary)  # owner: own subtree
rules.add_perm("venues.change_venue", can_manage_venue)
rules.add_perm("venues.add_room", can_manage_venue)
rules.add_perm("venues.change_room", is_bureau_staff | owns_room_venue)
rules.add_perm("venues.add_booking", can_book)
rules.add_perm("venues.approve_booking", can_decide_booking)
rules.add_perm("venues.change_booking", can_decide_booking | books_for_own_organization)
rules.add_perm("venues.view_stats", is_signed_in)
rules.add_perm("venues.view_approvals", is_bureau_staff | is_secretary)
# A booking's own page: whom it is visible to is the selector's scope (another's is a 404).
rules.add_perm("venues.view_booking", is_signed_in)
