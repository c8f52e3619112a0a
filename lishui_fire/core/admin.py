"""Admin for the shared kernel. Sections: calendar, enterprise registry, outbox and reminders."""

from django.contrib import admin

from . import models

# --- Calendar ---------------------------------------------------------------------------------


# --- Enterprise registry ----------------------------------------------------------------------
class CreditRatingChangeInline(admin.TabularInline):
    """History is written by ``services.change_credit_rating`` only; here it is read-only."""

    model = models.CreditRatingChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_rating", "to_rating", "reason", "changed_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    # change_list.html in core/templates/admin/core/enterprise/ adds the CSV import link.
    list_display = ("name", "uscc", "brigade", "venue_type", "risk_level", "credit_rating")
    list_filter = ("brigade", "credit_rating", "risk_level", "venue_type")
    search_fields = ("name", "uscc", "address")
    list_select_related = ("brigade",)
    inlines = [CreditRatingChangeInline]

    def get_readonly_fields(self, request, obj=None):
        # A rating change needs a reason and a history row: it goes through the registry page.
        return ("credit_rating", "created_at", "updated_at") if obj else ()


@admin.register(models.EnterpriseImport)
class EnterpriseImportAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "uploaded_by",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "created_at",
    )
    list_filter = ("status",)
    exclude = ("errors",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in models.EnterpriseImport._meta.fields if f.name != "errors"]

    def has_add_permission(self, request):
        return False



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
