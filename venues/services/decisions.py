"""The venue's decision on a requested booking: approve, or reject with a reason."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from venues.models import Booking, BookingStatus
from venues.services.checks import BookingError, save_tracked


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


@transaction.atomic
def booking_decide(
    *, booking: Booking, decision: str, acting_user: User, reason: str = ""
) -> Booking:
    """Approve or reject a requested booking (a rejection needs a reason). The history row is
    named "venues.booking.approve" or "venues.booking.reject"."""
    if decision not in Decision.values:
        raise ValueError(decision)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    approve = decision == Decision.APPROVE
    if booking.status != BookingStatus.REQUESTED:
        raise BookingError(
            _("Only a requested booking can be approved.")
            if approve
            else _("Only a requested booking can be rejected.")
        )
    reason = "" if approve else reason.strip()
    if not approve and not reason:
        raise BookingError(_("Reason: say why the booking is rejected."), field="reason")
    booking.status = BookingStatus.APPROVED if approve else BookingStatus.REJECTED
    booking.decided_by = acting_user
    booking.decided_at = timezone.now()
    booking.decision_note = reason[:200]
    booking.full_clean()
    save_tracked(
        booking,
        f"venues.booking.{decision}",
        acting_user,
        update_fields=["status", "decided_by", "decided_at", "decision_note"],
    )
    return booking


def booking_approve(*, booking: Booking, acting_user: User) -> Booking:
    return booking_decide(booking=booking, decision=Decision.APPROVE, acting_user=acting_user)


def booking_reject(*, booking: Booking, acting_user: User, reason: str = "") -> Booking:
    return booking_decide(
        booking=booking, decision=Decision.REJECT, acting_user=acting_user, reason=reason
    )
