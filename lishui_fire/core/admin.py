"""Admin for the shared kernel. Sections: calendar, enterprise registry, outbox and reminders."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: rows are written by ``notifications.notify`` and the delivery task.

    The one action is the deliberate resend of a failed row, including one whose outcome is
    unknown (which nothing resends automatically: see ``lishui_fire.core.notifications``).
    """

    list_display = ("created_at", "channel", "masked_address", "recipient", "status", "attempts")
    list_filter = ("status", "channel")
    search_fields = ("dedupe_key", "subject", "recipient__username", "recipient__real_name")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    actions = ["resend_failed"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in models.Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("地址/号码"))
    def masked_address(self, obj):
        from .masking import mask_email, mask_phone

        return mask_email(obj.address) if "@" in obj.address else mask_phone(obj.address)

    @admin.action(description=_("重新发送所选的发送失败通知（已人工核实）"))
    def resend_failed(self, request, queryset):
        from .notifications import requeue_notification

        count = sum(
            requeue_notification(notification_id=pk)
            for pk in queryset.filter(status=models.Notification.Status.FAILED).values_list(
                "pk", flat=True
            )
        )
        self.message_user(request, _("已重新排队 %(count)s 条通知。") % {"count": count})


@admin.register(models.Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminder ledger, read-only; cancelling goes through ``reminders.cancel_reminder``."""

    list_display = ("due_at", "key", "recipient", "channel", "status", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("key", "recipient__username", "recipient__real_name")
    list_select_related = ("recipient",)
    date_hierarchy = "due_at"
    actions = ["cancel_scheduled"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in models.Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("取消所选的待发提醒"))
    def cancel_scheduled(self, request, queryset):
        from .reminders import cancel_reminder

        count = sum(cancel_reminder(key=key) for key in queryset.values_list("key", flat=True))
        self.message_user(request, _("已取消 %(count)s 条提醒。") % {"count": count})


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
