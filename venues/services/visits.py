"""After the event: how many people actually came (服务人次), the figure the statistics sum."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from venues.models import Booking, BookingStatus
from venues.services.checks import BookingError, save_tracked


@transaction.atomic
def booking_set_visitors(*, booking: Booking, visitors: int, acting_user: User) -> Booking:
    """Record the visitors of an approved booking that has started."""
    if booking.status != BookingStatus.APPROVED:
        raise BookingError(_("Visitors can only be recorded for an approved booking."))
    if booking.start > timezone.now():
        raise BookingError(_("Visitors: the event has not started yet."), field="visitors")
    if visitors < 0:
        raise BookingError(_("Visitors: the number cannot be negative."), field="visitors")
    booking.visitors = visitors
    booking.full_clean()
    save_tracked(booking, "venues.booking.record_visitors", acting_user, update_fields=["visitors"])
    return booking
