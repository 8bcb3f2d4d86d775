"""A room's bookings as an iCalendar feed (RFC 5545), written by hand: CRLF line ends,
lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from venues.models import Booking, BookingStatus, Room


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces joined by CRLF + one space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def room_calendar(room: Room, bookings: Iterable[Booking], *, host: str) -> str:
    now = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Yinchuan Party Building Alliance//Venues//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(str(room))}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for booking in bookings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:booking-{booking.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(booking.start)}",
            f"DTEND:{_utc(booking.end)}",
            f"SUMMARY:{escape_text(booking.purpose)}",
            f"DESCRIPTION:{escape_text(booking.organization.name)}",
            f"LOCATION:{escape_text(str(room))}",
            "STATUS:" + ("CONFIRMED" if booking.status == BookingStatus.APPROVED else "TENTATIVE"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
