"""Admin for accounts, the export log and the access log.

Accounts are deactivated, never deleted: their history rows, exports and log entries keep
pointing at them (the admin refuses the delete and offers 停用 instead). The two logs are
append-only: shown, never added, changed or deleted here (and on PostgreSQL a trigger refuses
UPDATE and DELETE on them whatever the client).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.history import save_with_action
from core.models import AccessLog, ExportLog, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Portal role"),
            {"fields": ("full_name", "role", "organization", "community", "phone", "large_text")},
        ),
    )
    raw_id_fields = ("organization",)
    actions = ["deactivate_users"]

    def has_delete_permission(self, request, obj=None):
        # A user's history, exports and log entries must keep naming them: deactivate instead.
        return False

    @admin.action(description=_("Deactivate the selected users (they can no longer sign in)"))
    def deactivate_users(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user.is_active = False
            save_with_action(user, "core.user.deactivate", update_fields=["is_active"])
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class AppendOnlyLogAdmin(admin.ModelAdmin):
    """A log shown read-only: no add, no change, no delete (403 on the admin's URLs)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportLog)
class ExportLogAdmin(AppendOnlyLogAdmin):
    list_display = ("created_at", "user", "export", "unmasked", "rows")
    list_filter = ("unmasked", "export")
    list_select_related = ("user",)
    readonly_fields = ("created_at", "user", "export", "query", "unmasked", "rows")


@admin.register(AccessLog)
class AccessLogAdmin(AppendOnlyLogAdmin):
    list_display = ("created_at", "user", "what", "object_repr", "ip")
    list_filter = ("what",)
    list_select_related = ("user",)
    search_fields = ("object_repr", "user__username", "user__full_name")
    readonly_fields = (
        "created_at",
        "user",
        "what",
        "object_type",
        "object_id",
        "object_repr",
        "detail",
        "ip",
    )
