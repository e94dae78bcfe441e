from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from opsloop.core.models import AuditLog, Membership, User, Workspace


@admin.register(User)
class OpsloopUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("opsloop", {"fields": ("display_name", "language")}))


admin.site.register(Workspace)
admin.site.register(Membership)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor", "workspace", "target")
    list_filter = ("action",)
