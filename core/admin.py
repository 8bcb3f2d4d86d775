"""Admin for accounts and the export log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import ExportLog, User


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


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "export", "unmasked", "rows")
    list_filter = ("unmasked", "export")
    readonly_fields = ("created_at", "user", "export", "query", "unmasked", "rows")
