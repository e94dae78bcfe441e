from django.contrib import admin

from opsloop.events.models import Person, PersonId, Source, WriteKey


class WriteKeyInline(admin.TabularInline):
    model = WriteKey
    # Only the hash is kept; nothing here can show or make a key (the Sources page does).
    fields = ("prefix", "created_at", "revoked_at")
    readonly_fields = ("prefix", "created_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "workspace", "rate_limit", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    inlines = [WriteKeyInline]


class ReadOnly:
    """Persons are written by the flusher, which caches them, and deleted by the privacy
    request (events.actions.do_delete_person), which tells it: never here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PersonIdInline(ReadOnly, admin.TabularInline):
    model = PersonId
    fields = ("distinct_id",)
    extra = 0


@admin.register(Person)
class PersonAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "user_id", "workspace", "first_seen", "last_seen")
    search_fields = ("user_id", "ids__distinct_id")
    raw_id_fields = ("merged_into",)
    inlines = [PersonIdInline]
