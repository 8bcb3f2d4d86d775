"""Admin for venues, rooms and bookings."""

from django.contrib import admin

from venues.models import Booking, Closure, Facility, OpeningHours, Room, Venue


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "owner", "demonstration_year", "is_hub", "is_active"]
    list_filter = ["district", "is_hub"]
    search_fields = ["name"]
    inlines = [OpeningHoursInline, ClosureInline]
    raw_id_fields = ["owner", "community"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "venue", "type", "capacity", "needs_approval"]
    list_filter = ["type"]


admin.site.register(Facility)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only here: bookings change through the service (overlap check)."""

    list_display = ["purpose", "room", "organization", "start", "end", "status"]
    list_filter = ["status"]
    raw_id_fields = ["room", "organization", "series", "decided_by", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
