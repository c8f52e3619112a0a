from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.masking import mask_name, mask_phone

from .models import (
    Complaint,
    Inspection,
    InspectionAssignment,
    InspectionPlan,
    OfficerCertificate,
)


class AssignmentInline(admin.TabularInline):
    model = InspectionAssignment
    extra = 0
    readonly_fields = ("officer", "is_lead", "confirmed_at")
    can_delete = False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Read-only: every change of an inspection goes through inspections.services."""

    list_display = ("reference", "kind", "enterprise", "brigade", "status", "planned_date")
    list_filter = ("kind", "status", "brigade")
    search_fields = ("reference", "enterprise__name")
    inlines = [AssignmentInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "period_start", "period_end", "status")
    list_filter = ("status",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# --- intake ---
@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: the complainant's name and phone shown masked, never in full (the admin checks
    the register; the brigade's handling staff reveal the phone on the inspection's page, audited)."""

    list_display = ("inspection", "channel", "category", "received_at", "replied_at")
    list_filter = ("channel", "category", "reply_method")
    search_fields = ("inspection__reference", "ticket_number")
    exclude = ("complainant_name", "complainant_phone")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        hidden = {"complainant_name", "complainant_phone"}
        fields = [f.name for f in self.model._meta.fields if f.name not in hidden]
        return [*fields, "masked_complainant"]

    @admin.display(description=_("举报人"))
    def masked_complainant(self, obj):  # type: ignore[no-untyped-def]
        return f"{mask_name(obj.complainant_name)} {mask_phone(obj.complainant_phone)}".strip()

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# --- drawing: roster and recusal ---
# Administrators keep the officers' certificates (the roster a draw picks from). The recusal
# register is deliberately not in the admin: it is personal data read by the officer, their
# supervisors and the discipline officers only (inspections/policies.py).


@admin.register(OfficerCertificate)
class OfficerCertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "officer", "valid_from", "valid_until", "active")
    list_filter = ("active", "officer__org_unit")
    search_fields = ("number", "officer__username", "officer__real_name")
    raw_id_fields = ("officer",)
