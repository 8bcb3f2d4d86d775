"""Shared venues (阵地联享): venues, their opening hours and closures, rooms, bookings.

Two requested-or-approved bookings of one room never overlap ([start, end) half-open, so
back-to-back is fine). `venues.services` checks it in the writing transaction on every
database; on PostgreSQL an exclusion constraint (added by migration 0002, btree_gist) makes
the database itself refuse an overlap that concurrent requests would otherwise slip through.
It lives in the migration rather than in Meta so that SQLite never sees it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords

OVERLAP_CONSTRAINT = "venues_booking_no_overlap"


class Venue(models.Model):
    """A site with rooms: an activity centre, an elderly-university branch, a community site."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.ForeignKey(
        "branches.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venues",
    )
    community = models.ForeignKey(
        "branches.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venues",
    )
    owner = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("owning organization"),
        on_delete=models.PROTECT,
        related_name="venues",
    )
    demonstration_year = models.PositiveSmallIntegerField(
        _("demonstration site year"), null=True, blank=True
    )
    is_hub = models.BooleanField(_("hub (桥头堡)"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["-is_hub", "name"]
        indexes = [models.Index(fields=["district", "community"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("venues:venue", args=[self.pk])

    def clean(self) -> None:
        if (
            self.community_id
            and self.district_id
            and self.community.district_id != self.district_id
        ):
            raise ValidationError({"community": _("The community is not in the chosen district.")})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening span on a weekday; a day may have several (morning and afternoon)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["venue", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="venues_hours_close_after_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class Closure(models.Model):
    """Dates on which a venue is closed (a holiday, a renovation), inclusive."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("first day closed"))
    ends_on = models.DateField(_("last day closed"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["venue", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="venues_closure_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d} {self.reason}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})


class Facility(models.Model):
    """Equipment a room offers (projector, piano, accessible entrance …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoomType(models.TextChoices):
    OATH = "oath", _("Party oath room")
    EXHIBITION = "exhibition", _("Red exhibition hall")
    READING = "reading", _("Red reading room")
    CINEMA = "cinema", _("Red cinema")
    MEETING = "meeting", _("Multi-function meeting room")
    HOME = "home", _("Party-masses Warm Home")
    STUDIO = "studio", _("Interest-affinity party studio")
    OTHER = "other", _("Other")


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=RoomType.choices)
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    facilities = models.ManyToManyField(
        Facility, verbose_name=_("facilities"), blank=True, related_name="rooms"
    )
    needs_approval = models.BooleanField(_("bookings need approval"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="venues_room_unique_in_venue"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="venues_room_capacity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.venue.name} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("venues:room", args=[self.pk])


class Rule(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")


class BookingSeries(models.Model):
    """A recurring booking (a choir every Tuesday): its occurrences are ordinary bookings."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="series")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="booking_series"
    )
    rule = models.CharField(_("repeats"), max_length=20, choices=Rule.choices)
    first_start = models.DateTimeField(_("first occurrence"))
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of occurrences"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=False) | Q(count__isnull=False),
                name="venues_series_until_or_count",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.get_rule_display()})"


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (BookingStatus.REQUESTED, BookingStatus.APPROVED)


class Booking(models.Model):
    """A room for an organization from `start` to `end` (aware datetimes, [start, end))."""

    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings"
    )
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("booking organization"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    expected_attendees = models.PositiveIntegerField(_("expected attendees"))
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)
    visitors = models.PositiveIntegerField(_("visitors"), null=True, blank=True)
    series = models.ForeignKey(
        BookingSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start", "room"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="venues_booking_end_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["room", "start"]),
            models.Index(fields=["status", "start"]),
            models.Index(fields=["organization", "start"]),
        ]

    def __str__(self) -> str:
        return self.purpose

    def get_absolute_url(self) -> str:
        return reverse("venues:booking", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_shared_use(self) -> bool:
        """A booking by an organization other than the venue's owner (共用阵地)."""
        return self.organization_id != self.room.venue.owner_id

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})


def _feed_token_value() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """One person's calendar address for one room (the .ics feed a phone subscribes to).

    Phone calendar apps cannot sign in, so the address carries this secret. Each is its
    holder's own: listed on their profile, revocable one by one, and ending at ``expires_at``;
    a deactivated holder's addresses stop answering at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.CASCADE,
        related_name="feed_tokens",
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="feed_tokens"
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_feed_token_value)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "room"], name="venues_feedtoken_user_room")]

    def __str__(self) -> str:
        return f"{self.user} · {self.room}"

    def get_feed_url(self) -> str:
        return reverse("venues:room_feed", args=[self.room_id, self.token])
