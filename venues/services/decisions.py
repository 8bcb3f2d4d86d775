"""The venue's decision on a requested booking: approve, or reject with a reason — one
booking, or every waiting date of a series at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from venues.models import ACTIVE_STATUSES, Booking, BookingSeries, BookingStatus
from venues.services.checks import (
    BookingError,
    conflict_message,
    save_tracked,
    slot_problems,
    take_room_lock,
)


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
    reason = _decision_reason(approve, reason)
    _record_decision(
        booking, decision=decision, acting_user=acting_user, reason=reason, at=timezone.now()
    )
    return booking


def _decision_reason(approve: bool, reason: str) -> str:
    """The note a decision keeps: none for an approval; a rejection must say why."""
    reason = "" if approve else reason.strip()
    if not approve and not reason:
        raise BookingError(_("Reason: say why the booking is rejected."), field="reason")
    return reason


def _record_decision(
    booking: Booking, *, decision: str, acting_user: User, reason: str, at
) -> None:
    """Write one decision on a locked, requested booking, with its history row
    ("venues.booking.approve" / "venues.booking.reject")."""
    booking.status = (
        BookingStatus.APPROVED if decision == Decision.APPROVE else BookingStatus.REJECTED
    )
    booking.decided_by = acting_user
    booking.decided_at = at
    booking.decision_note = reason[:200]
    booking.full_clean()
    save_tracked(
        booking,
        f"venues.booking.{decision}",
        acting_user,
        update_fields=["status", "decided_by", "decided_at", "decision_note"],
    )


def booking_approve(*, booking: Booking, acting_user: User) -> Booking:
    return booking_decide(booking=booking, decision=Decision.APPROVE, acting_user=acting_user)


def booking_reject(*, booking: Booking, acting_user: User, reason: str = "") -> Booking:
    return booking_decide(
        booking=booking, decision=Decision.REJECT, acting_user=acting_user, reason=reason
    )


@dataclass
class SeriesDecision:
    """What deciding a series did: the bookings decided, and those left requested with what
    stands in each one's way (by date)."""

    decided: list[Booking] = field(default_factory=list)
    left: list[tuple[Booking, list[str]]] = field(default_factory=list)


@transaction.atomic
def series_decide(
    *, series: BookingSeries, decision: str, acting_user: User, reason: str = ""
) -> SeriesDecision:
    """Approve or reject every requested date of a series in one transaction. Approving
    rechecks each date (closures, opening hours, capacity, the past, another active booking
    of the room); a date with a problem is left requested and reported. A rejection needs a
    reason and rejects every requested date. History rows as for one booking."""
    if decision not in Decision.values:
        raise ValueError(decision)
    approve = decision == Decision.APPROVE
    reason = _decision_reason(approve, reason)
    room = series.room
    take_room_lock(room)
    pending = list(
        Booking.objects.select_for_update()
        .filter(series=series, status=BookingStatus.REQUESTED)
        .order_by("start")
    )
    if not pending:
        raise BookingError(_("No date of this series waits for a decision."))
    result = SeriesDecision()
    problems: dict[int, list[str]] = {}
    if approve:
        hours = list(room.venue.opening_hours.all())
        first_day = timezone.localtime(pending[0].start).date()
        last_day = timezone.localtime(pending[-1].end).date()
        closures = list(room.venue.closures.filter(starts_on__lte=last_day, ends_on__gte=first_day))
        others = list(
            Booking.objects.filter(
                room=room,
                status__in=ACTIVE_STATUSES,
                start__lt=pending[-1].end,
                end__gt=pending[0].start,
            )
            .exclude(pk__in=[b.pk for b in pending])
            .select_related("organization")
            .order_by("start")
        )
        now = timezone.now()
        for booking in pending:
            found = [
                message
                for _field, message in slot_problems(
                    room=room,
                    start=booking.start,
                    end=booking.end,
                    expected_attendees=booking.expected_attendees,
                    hours=hours,
                    closures=closures,
                    now=now,
                )
            ]
            for other in others:
                if other.start < booking.end and other.end > booking.start:
                    found.append(conflict_message(other))
                    break
            if found:
                problems[booking.pk] = found
    decided_at = timezone.now()
    for booking in pending:
        if booking.pk in problems:
            result.left.append((booking, problems[booking.pk]))
            continue
        _record_decision(
            booking, decision=decision, acting_user=acting_user, reason=reason, at=decided_at
        )
        result.decided.append(booking)
    return result


def series_pending_counts(series_ids) -> dict[int, int]:
    """series id → how many of its dates wait for a decision (one query)."""
    rows = (
        Booking.objects.filter(series_id__in=list(series_ids), status=BookingStatus.REQUESTED)
        .values("series_id")
        .annotate(n=models.Count("pk"))
    )
    return {row["series_id"]: row["n"] for row in rows}
