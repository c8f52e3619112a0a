"""``/api/v1/complaints/``, ``/api/v1/unplanned-inspections/`` and ``/api/v1/my-inspections/``.

Every change goes through ``inspections.services.intake``; scoping is in the selectors, so an
object outside the caller's scope is a 404 like a missing one. A refused move (the A-grade cap,
a result told twice) is a 409 with the service's message; bad input a 400 with field errors.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from lishui_fire.accounts import policies as kernel
from lishui_fire.core.api import DateTimeField, ModelSerializer, Serializer
from lishui_fire.core.client import client_ip
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_name, mask_phone
from lishui_fire.core.validators import normalise_code
from lishui_fire.enterprises import selectors as enterprise_selectors

from .. import policies, selectors
from ..models import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintReply,
    Inspection,
    InspectionFinding,
)
from ..selectors_visits import CONFIRMED_STATUSES
from ..services import intake as services
from ..services.intake import OPENED_BY_HAND


def _validation(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


def _unit(user: Any, uscc: str) -> Any:
    unit = (
        enterprise_selectors.enterprises_for_user(user=user)
        .filter(uscc=normalise_code(uscc or ""))
        .first()
    )
    if unit is None:
        raise ValidationError(
            {"enterprise": [_("本大队辖区的社会单位名录中没有这个统一社会信用代码。")]}
        )
    return unit


def _readers(user: Any) -> bool:
    return kernel.is_handling_staff(user) or kernel.is_legal_officer(user)


# --- Serializers -----------------------------------------------------------------------------------
class OfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="officer_id")
    name = serializers.CharField(source="officer.real_name")
    is_lead = serializers.BooleanField()


class UnplannedInspectionSerializer(ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    brigade = serializers.CharField(source="brigade.code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    officers = OfficerSerializer(source="assignments", many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "reference",
            "kind",
            "kind_label",
            "enterprise",
            "enterprise_name",
            "brigade",
            "status",
            "status_label",
            "reason",
            "joint_department",
            "source_reference",
            "planned_date",
            "visited_at",
            "result",
            "rectify_by",
            "officers",
            "created_at",
        ]
        read_only_fields = fields
        # Read-only model fields lose ``allow_blank`` in DRF: the result is "" until recorded.
        extra_kwargs = {"result": {"allow_blank": True}}


class MyInspectionSerializer(UnplannedInspectionSerializer):
    """The unit's view: the visit's result, findings and documents once both officers have
    confirmed the record; before that, who comes and when. Never the complainant."""

    confirmed = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(UnplannedInspectionSerializer.Meta):
        fields = [f for f in UnplannedInspectionSerializer.Meta.fields if f not in ("reason",)] + [
            "recheck_requested_at",
            "confirmed",
            "findings",
            "documents",
        ]
        read_only_fields = fields

    def get_confirmed(self, obj: Inspection) -> bool:
        return obj.status in CONFIRMED_STATUSES

    def to_representation(self, obj: Inspection) -> dict[str, Any]:
        data = super().to_representation(obj)
        if obj.status not in CONFIRMED_STATUSES:
            for name in ("visited_at", "result", "rectify_by"):
                data[name] = None if name != "result" else ""
        return data

    def get_findings(self, obj: Inspection) -> list[dict[str, Any]]:
        if obj.status not in CONFIRMED_STATUSES:
            return []
        return [
            {
                "violation": f.violation.code,
                "violation_title": f.violation.title,
                "location": f.location,
                "description": f.description,
                "corrected_on_spot": f.corrected_on_spot,
            }
            for f in obj.findings.all()
        ]

    def get_documents(self, obj: Inspection) -> list[dict[str, Any]]:
        if obj.status not in CONFIRMED_STATUSES:
            return []
        return [{"id": d.pk, "kind": d.kind, "number": d.number} for d in obj.documents.all()]


class OpenInspectionSerializer(Serializer):
    kind = serializers.ChoiceField(choices=[k.value for k in OPENED_BY_HAND])
    enterprise = serializers.CharField(max_length=18, help_text="被检查单位的统一社会信用代码")
    reason = serializers.CharField(max_length=2000)
    joint_department = serializers.CharField(max_length=128, required=False, allow_blank=True)
    planned_date = serializers.DateField(required=False, allow_null=True)


class ComplaintSerializer(ModelSerializer):
    inspection = serializers.IntegerField(source="inspection_id", read_only=True)
    reference = serializers.CharField(source="inspection.reference", read_only=True)
    enterprise = serializers.CharField(source="inspection.enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="inspection.enterprise.name", read_only=True)
    brigade = serializers.CharField(source="inspection.brigade.code", read_only=True)
    status = serializers.CharField(source="inspection.status", read_only=True)
    complainant_name = serializers.SerializerMethodField()
    complainant_phone = serializers.SerializerMethodField()
    verify_by = serializers.SerializerMethodField()
    verified_at = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "inspection",
            "reference",
            "enterprise",
            "enterprise_name",
            "brigade",
            "status",
            "channel",
            "ticket_number",
            "category",
            "content",
            "received_at",
            "verify_by",
            "verified_at",
            "complainant_name",
            "complainant_phone",
            "replied_at",
            "reply_method",
            "reply_text",
        ]
        read_only_fields = fields
        # "" until the complainant has been told (read-only fields lose ``allow_blank``).
        extra_kwargs = {"reply_method": {"allow_blank": True}}

    def _sees(self, obj: Complaint) -> bool:
        user = self.context["request"].user
        return policies.can_see_complainant(user, obj.inspection.brigade_id)

    def get_complainant_name(self, obj: Complaint) -> str:
        return obj.complainant_name if self._sees(obj) else mask_name(obj.complainant_name)

    def get_complainant_phone(self, obj: Complaint) -> str:
        """Always masked here: the full number is one audited call away (``reveal-phone/``)."""
        return mask_phone(obj.complainant_phone)

    def _clock(self, obj: Complaint) -> Any:
        clocks = self.context.get("clocks")
        if clocks is not None:
            return clocks.get(obj.inspection_id)
        return services.complaint_clock(obj)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_verify_by(self, obj: Complaint) -> str | None:
        clock = self._clock(obj)
        return clock.due_at.isoformat() if clock and clock.due_at else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_verified_at(self, obj: Complaint) -> str | None:
        clock = self._clock(obj)
        return clock.stopped_at.isoformat() if clock and clock.stopped_at else None


class RegisterComplaintSerializer(Serializer):
    enterprise = serializers.CharField(max_length=18, help_text="被举报单位的统一社会信用代码")
    channel = serializers.ChoiceField(choices=ComplaintChannel.values)
    category = serializers.ChoiceField(choices=ComplaintCategory.values)
    content = serializers.CharField(max_length=2000)
    received_at = DateTimeField()
    ticket_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    complainant_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    complainant_phone = serializers.CharField(max_length=11, required=False, allow_blank=True)


class ReplySerializer(Serializer):
    method = serializers.ChoiceField(choices=ComplaintReply.values)
    text = serializers.CharField(max_length=1000)


ACTION_RESPONSES = {
    400: OpenApiResponse(description="输入有误"),
    403: OpenApiResponse(description="角色无权执行该操作"),
    404: OpenApiResponse(description="不存在或不在本人权限范围内"),
    409: OpenApiResponse(description="当前状态不允许该操作（已达年度检查上限、已告知等）"),
}


# --- Complaints ------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="举报投诉列表（本大队）", tags=["inspections"]),
    retrieve=extend_schema(summary="举报投诉详情", tags=["inspections"]),
)
class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ComplaintSerializer
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not _readers(request.user):
            raise PermissionDenied(_("只有消防救援机构的工作人员可以查看举报投诉。"))

    def get_queryset(self) -> QuerySet[Complaint]:
        return selectors.complaints_for_user(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        context = {
            **self.get_serializer_context(),
            "clocks": selectors.complaint_clocks([c.inspection for c in rows]),
        }
        return self.get_paginated_response(
            ComplaintSerializer(rows, many=True, context=context).data
        )

    def _require_handler(self) -> None:
        if not policies.can_use_intake_pages(self.request.user):
            raise PermissionDenied(_("只有承办的工作人员可以办理此操作。"))

    @extend_schema(
        request=RegisterComplaintSerializer,
        responses={201: ComplaintSerializer, **ACTION_RESPONSES},
        tags=["inspections"],
        summary="登记举报投诉（起算核查时限并指派两名检查人员）",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_handler()
        data = RegisterComplaintSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        unit = _unit(request.user, fields.pop("enterprise"))
        try:
            complaint = services.register_complaint(actor=request.user, enterprise=unit, **fields)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(
            # Read back unscoped: the officers drawn may not include the inspector who registered it.
            self.get_serializer(selectors.complaint_as_registered(pk=complaint.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=ReplySerializer,
        responses={200: ComplaintSerializer, **ACTION_RESPONSES},
        tags=["inspections"],
        summary="告知举报人处理结果（或记录无法告知的原因）",
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        self._require_handler()
        complaint = self.get_object()
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.reply_to_complainant(
                complaint=complaint, actor=request.user, **data.validated_data
            )
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=complaint.pk)).data)

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(description='{"complainant_phone": "..."}（已记入审计日志）'),
            **ACTION_RESPONSES,
        },
        tags=["inspections"],
        summary="查看举报人完整电话（记入审计日志）",
    )
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request: Request, pk: str | None = None) -> Response:
        self._require_handler()
        complaint = self.get_object()
        full = services.reveal_complainant_phone(
            complaint=complaint, actor=request.user, remote_addr=client_ip(request)
        )
        return Response({"complainant_phone": full})


# --- Other inspections outside plans --------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="计划外检查列表（本大队）", tags=["inspections"]),
    retrieve=extend_schema(summary="计划外检查详情", tags=["inspections"]),
)
class UnplannedInspectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = UnplannedInspectionSerializer
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not _readers(request.user):
            raise PermissionDenied(_("只有消防救援机构的工作人员可以查看检查。"))

    def get_queryset(self) -> QuerySet[Inspection]:
        return selectors.outside_plan_inspections_for_user(user=self.request.user)

    @extend_schema(
        request=OpenInspectionSerializer,
        responses={201: UnplannedInspectionSerializer, **ACTION_RESPONSES},
        tags=["inspections"],
        summary="新建计划外检查（大型活动、专项、联合、案件调查）",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not policies.can_use_intake_pages(request.user):
            raise PermissionDenied(_("只有承办的工作人员可以办理此操作。"))
        data = OpenInspectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        unit = _unit(request.user, fields.pop("enterprise"))
        try:
            inspection = services.open_inspection(actor=request.user, enterprise=unit, **fields)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(
            # Read back unscoped: the officers drawn may not include the inspector who opened it.
            self.get_serializer(selectors.inspection_as_opened(pk=inspection.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- The unit's own inspections -------------------------------------------------------------------
def _request_recheck() -> Any:
    name = f"{__package__.rpartition('.')[0]}.services.visits"
    if importlib.util.find_spec(name) is None:
        return None
    return getattr(importlib.import_module(name), "request_recheck", None)


@extend_schema_view(
    list=extend_schema(summary="本单位接受的检查（登记联系人）", tags=["inspections"]),
    retrieve=extend_schema(summary="本单位的一次检查", tags=["inspections"]),
)
class MyInspectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = MyInspectionSerializer
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not policies.is_enterprise_user(request.user):
            raise PermissionDenied(_("只有单位的登记联系人可以查看。"))

    def get_queryset(self) -> QuerySet[Inspection]:
        return selectors.enterprise_inspections_for_user(user=self.request.user).prefetch_related(
            Prefetch("findings", queryset=InspectionFinding.objects.select_related("violation")),
            "documents",
        )

    @extend_schema(
        request=None,
        responses={200: MyInspectionSerializer, **ACTION_RESPONSES},
        tags=["inspections"],
        summary="整改完毕，网上申请复查",
    )
    @action(detail=True, methods=["post"])
    def recheck(self, request: Request, pk: str | None = None) -> Response:
        inspection = self.get_object()
        request_recheck = _request_recheck()
        if request_recheck is None:
            raise DomainError(services.recheck_by_phone_message(inspection))
        try:
            request_recheck(inspection=inspection, actor=request.user)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data)
