"""What the permits API reads and writes: parsing and presenting, no business decisions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from lishui_fire.accounts.models import Role, User
from lishui_fire.core.api import (
    FieldsBuiltOnce,
    IdField,
    ModelSerializer,
    PrimaryKeyRelatedField,
    Serializer,
)
from lishui_fire.core.masking import mask_name, mask_phone

from .. import rules
from ..models import (
    DecisionOutcome,
    GatheringVenueType,
    MaterialKind,
    PermitApplication,
    PrecheckBooking,
    PrecheckSlot,
    StopUseKind,
)


# --- Permits -------------------------------------------------------------------------------------
class PermitSerializer(ModelSerializer):
    county = serializers.CharField(
        source="brigade.code", help_text="县（市、区）大队代码：LD LQ QT JY SC SY YH QY JN"
    )
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    home_service = serializers.SerializerMethodField()
    contact_phone = serializers.CharField(max_length=11)
    commitment_signed = serializers.SerializerMethodField()

    class Meta:
        model = PermitApplication
        fields = [
            "id",
            "reference",
            "venue_name",
            "venue_address",
            "county",
            "venue_type",
            "floor_area_m2",
            "capacity",
            "floors",
            "opening_date",
            "unit_name",
            "unit_uscc",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "path",
            "channel",
            "status",
            "status_label",
            "submitted_at",
            "accept_due",
            "inspection_due",
            "decision_due",
            "verification_due",
            "rectification_due",
            "recheck_requested_at",
            "recheck_due",
            "next_due",
            "due_provisional",
            "green_channel",
            "home_service",
            "commitment_signed",
            "missing_items",
            "decision_reason",
            "enterprise",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "reference",
            "channel",
            "submitted_at",
            "accept_due",
            "inspection_due",
            "decision_due",
            "verification_due",
            "rectification_due",
            "recheck_requested_at",
            "recheck_due",
            "next_due",
            "due_provisional",
            "green_channel",
            "missing_items",
            "decision_reason",
            "enterprise",
            "created_at",
            "updated_at",
        ]

    def get_home_service(self, obj: PermitApplication) -> bool:
        return bool(getattr(obj, "has_home_service", False))

    def get_commitment_signed(self, obj: PermitApplication) -> bool:
        return obj.commitment_signed_at is not None

    def to_representation(self, instance: PermitApplication) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        # Personal data: the owner sees their own number; lists and staff see it masked.
        if request is None or request.user.pk != instance.applicant_id or self.context.get("many"):
            data["contact_phone"] = mask_phone(instance.contact_phone)
        return data


class ReasonSerializer(Serializer):
    reason = serializers.CharField(
        max_length=rules.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class RequiredReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=rules.REASON_MAX_LENGTH)


class ProposalSerializer(Serializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    reason = serializers.CharField(
        max_length=rules.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class SendBackSerializer(Serializer):
    note = serializers.CharField(max_length=rules.REASON_MAX_LENGTH)


class ReturnSerializer(Serializer):
    missing_items = serializers.ListField(
        child=serializers.CharField(max_length=255), min_length=1, max_length=50
    )
    note = serializers.CharField(
        max_length=rules.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class InspectionResultSerializer(Serializer):
    passed = serializers.BooleanField()
    findings = serializers.CharField(
        max_length=rules.FINDINGS_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class VerificationSerializer(Serializer):
    """The verification (核查) or, under a rectification order, the re-check (复查)."""

    matches = serializers.BooleanField()
    findings = serializers.CharField(
        max_length=rules.FINDINGS_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    rectification_due = serializers.DateField(required=False, allow_null=True, default=None)
    order = serializers.ChoiceField(
        choices=StopUseKind.choices,
        required=False,
        default=StopUseKind.STOP_USE,
        help_text="核查不符时责令的事项（《消防法》第五十八条第一款第四项）",
    )


class RecheckRequestSerializer(Serializer):
    note = serializers.CharField(
        max_length=rules.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class SignSerializer(Serializer):
    signatory = serializers.CharField(max_length=64)


class MaterialUploadSerializer(Serializer):
    kind = serializers.ChoiceField(choices=MaterialKind.choices)
    file = serializers.FileField()


# --- Pre-check slots -------------------------------------------------------------------------------
class PrecheckSlotSerializer(ModelSerializer):
    brigade = serializers.CharField(source="brigade.code", help_text="大队代码，如 LD")
    inspector = PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.INSPECTOR), help_text="监督员用户 id"
    )
    inspector_name = serializers.SerializerMethodField(
        help_text="监督员姓名；申请人看到的是脱敏后的姓名（如“陈*”），与网页一致"
    )
    remaining = serializers.IntegerField(read_only=True)
    capacity = serializers.IntegerField(min_value=1, max_value=20, default=1)

    def get_inspector_name(self, obj: PrecheckSlot) -> str:
        request = self.context.get("request")
        name = obj.inspector.real_name
        if request is not None and getattr(request.user, "is_portal_staff", False):
            return name
        return mask_name(name)

    class Meta:
        model = PrecheckSlot
        fields = [
            "id",
            "brigade",
            "inspector",
            "inspector_name",
            "starts_at",
            "ends_at",
            "capacity",
            "remaining",
        ]
        # No unique-together check here: the service answers a duplicate (same inspector, same
        # start) with 409 and a message a clerk understands, not 400 naming the columns.
        validators: list[Any] = []


# --- Pre-check bookings ------------------------------------------------------------------------------
class PrecheckBookingSerializer(FieldsBuiltOnce, ModelSerializer):
    # The slot's id: the booking service reads the slot with its locks (ADR 0032).
    slot = IdField(source="slot_id", help_text="时段 id")
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    brigade = serializers.CharField(source="brigade.code", read_only=True)
    status = serializers.CharField(read_only=True)
    contact_phone = serializers.CharField(max_length=11)
    venue_type = serializers.ChoiceField(
        choices=GatheringVenueType.choices, required=False, allow_blank=True
    )
    county = serializers.CharField(
        source="venue_county.code",
        required=False,
        allow_null=True,
        max_length=16,
        help_text="场所所在县（市、区）的大队代码，如 LD；与时段所属大队不同时须确认（issue 9）",
    )
    confirm_county_mismatch = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="场所所在县与时段所属大队不同时，确认仍要预约",
    )

    class Meta:
        model = PrecheckBooking
        fields = [
            "id",
            "slot",
            "starts_at",
            "brigade",
            "county",
            "confirm_county_mismatch",
            "venue_name",
            "venue_address",
            "venue_type",
            "contact_phone",
            "status",
            "arrived_at",
            "notice_number",
            "notice_issued_at",
            "created_at",
        ]
        read_only_fields = ["arrived_at", "notice_number", "notice_issued_at", "created_at"]

    def to_representation(self, instance: PrecheckBooking) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or request.user.pk != instance.applicant_id:
            data["contact_phone"] = mask_phone(instance.contact_phone)
        return data
