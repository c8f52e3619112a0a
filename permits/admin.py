"""Admin for the permits app: look-ups and corrections of plain data for administrators.

Status moves have a workflow, a history row, documents and notifications: they happen only
through the services (the staff pages), so every ``status`` is read-only here, as are the
clocks the services compute. An application that has issued documents is a legal record and
cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lishui_fire.core.admin import IssuedDocumentAdmin, PersonalDataAdmin

from . import models

# Set by services (status moves, clocks, outcomes): never typed in by hand.
APPLICATION_SERVICE_FIELDS = (
    "reference",
    "applicant",
    "status",
    "path",
    "submitted_at",
    "accepted_at",
    "inspected_at",
    "decided_at",
    "verified_at",
    "accept_due",
    "inspection_due",
    "decision_due",
    "verification_due",
    "rectification_due",
    "next_due",
    "due_provisional",
    "missing_items",
    "decision_number",
    "decision_reason",
    "first_inspection_passed",
    "revocation_reason",
    "green_channel",
    "green_channel_reason",
    "green_channel_set_by",
    "green_channel_set_at",
    "commitment_signed_at",
    "commitment_signatory",
    "handled_by",
    "created_at",
    "updated_at",
)


class MaterialInline(admin.TabularInline):
    model = models.Material
    extra = 0
    can_delete = False
    fields = ("kind", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SiteVisitInline(admin.TabularInline):
    model = models.SiteVisit
    extra = 0
    can_delete = False
    fields = ("kind", "visited_at", "passed", "inspector", "findings")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    model = models.PermitDocument
    extra = 0
    can_delete = False
    fields = ("kind", "number", "issued_at", "issued_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.PermitApplication)
class PermitApplicationAdmin(PersonalDataAdmin):
    list_display = (
        "reference",
        "venue_name",
        "brigade",
        "path",
        "status",
        "next_due",
        "due_provisional",
        "green_channel",
        "submitted_at",
    )
    list_filter = ("status", "path", "brigade", "green_channel", "due_provisional", "channel")
    search_fields = ("reference", "venue_name", "venue_address", "unit_name", "unit_uscc")
    list_select_related = ("brigade",)
    date_hierarchy = "submitted_at"
    raw_id_fields = ("precheck",)
    readonly_fields = APPLICATION_SERVICE_FIELDS
    inlines = [MaterialInline, DocumentInline, SiteVisitInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new application needs a reference number and a draft: services.create_draft.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.documents.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete would bypass the per-object check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(models.PermitDocument)
class PermitDocumentAdmin(IssuedDocumentAdmin):
    list_display = ("number", "kind", "application", "issued_at", "issued_by")
    list_filter = ("kind",)
    search_fields = ("number", "application__reference", "application__venue_name")
    list_select_related = ("application", "issued_by")
    readonly_fields = ("application", *IssuedDocumentAdmin.issued_fields)


@admin.register(models.PrecheckNotice)
class PrecheckNoticeAdmin(IssuedDocumentAdmin):
    list_display = ("number", "version", "booking", "issued_at", "rendered_at")
    search_fields = ("number", "booking__venue_name")
    list_select_related = ("booking__slot__inspector",)
    readonly_fields = ("booking", "version", *IssuedDocumentAdmin.issued_fields)


@admin.register(models.Delivery)
class DeliveryAdmin(PersonalDataAdmin):
    list_display = ("application", "method", "status", "carrier", "waybill", "posted_at")
    list_filter = ("method", "status")
    search_fields = ("application__reference", "waybill", "recipient")
    list_select_related = ("application",)
    readonly_fields = ("application", "method", "status", "posted_at", "delivered_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(models.HomeServiceRequest)
class HomeServiceRequestAdmin(PersonalDataAdmin):
    list_display = (
        "contact_name",
        "brigade",
        "reason",
        "source",
        "status",
        "appointment_at",
        "assigned_to",
        "created_at",
    )
    list_filter = ("status", "brigade", "reason", "source")
    search_fields = ("contact_name", "address")
    list_select_related = ("brigade", "assigned_to")
    readonly_fields = (
        "status",
        "source",
        "applicant",
        "logged_by",
        "appointment_at",
        "assigned_to",
        "outcome",
        "application",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(models.PrecheckSlot)
class PrecheckSlotAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "ends_at", "brigade", "inspector", "capacity", "booked")
    list_filter = ("brigade",)
    search_fields = ("inspector__real_name", "inspector__username")
    list_select_related = ("brigade", "inspector")
    date_hierarchy = "starts_at"
    # ``booked`` is kept by the booking service under a database constraint.
    readonly_fields = ("booked", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(models.PrecheckBookingLimits)
class PrecheckBookingLimitsAdmin(admin.ModelAdmin):
    """The limits on open pre-check bookings: one row, edited, never added twice or deleted."""

    list_display = ("__str__", "max_open_per_applicant", "max_open_per_venue", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not models.PrecheckBookingLimits.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FindingInline(admin.TabularInline):
    model = models.Finding
    extra = 0
    can_delete = False
    fields = ("item", "location", "regulation", "remedy", "amendment", "created_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.PrecheckBooking)
class PrecheckBookingAdmin(PersonalDataAdmin):
    list_display = ("venue_name", "brigade", "slot", "status", "arrived_at", "notice_number")
    list_filter = ("status", "brigade")
    search_fields = ("venue_name", "venue_address", "notice_number")
    list_select_related = ("brigade", "slot__inspector")
    readonly_fields = (
        "slot",
        "applicant",
        "brigade",
        "status",
        "arrived_at",
        "notice_number",
        "notice_issued_at",
        "notice_file",
        "notice_version",
        "cancelled_at",
        "venue_county",
        "county_mismatch_confirmed",
        "created_at",
        "updated_at",
    )
    inlines = [FindingInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An issued one-time notice is a record the applicant holds.
        if obj is not None and obj.notice_number:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(models.NoticeAmendment)
class NoticeAmendmentAdmin(admin.ModelAdmin):
    list_display = ("booking", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("booking", "requested_by", "decided_by")
    readonly_fields = (
        "booking",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
