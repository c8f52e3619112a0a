"""Admin for the shared kernel. Sections: calendar, enterprise registry, outbox and reminders."""

from django.contrib import admin

from . import models

# --- Calendar ---------------------------------------------------------------------------------


# --- Enterprise registry ----------------------------------------------------------------------


# --- Outbox and reminders ---------------------------------------------------------------------


# --- Workflow history ---------------------------------------------------------------------------
@admin.register(models.StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("content_type", "object_id", "from_status", "to_status", "actor", "at")
    list_filter = ("content_type",)
    search_fields = ("object_id", "note")
    readonly_fields = [f.name for f in models.StatusChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
