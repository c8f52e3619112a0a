"""``/api/v1/permits/``, ``/api/v1/precheck-slots/``, ``/api/v1/precheck-bookings/`` (API.md).

Every change goes through ``permits.services``. Scoping happens in the querysets, so an object
outside the caller's scope is a 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.permissions import IsApplicant, ReadAnyWriteStaff
from lishui_fire.core.api import PDFActionMixin
from lishui_fire.core.document_api import PREPARING_RESPONSE, issued_document_api_response
from lishui_fire.core.idempotency import idempotent

from .. import policies, selectors
from ..models import DocumentKind, PermitApplication, PrecheckBooking, PrecheckSlot
from ..services import applications as app_services
from ..services import prechecks as precheck_services
from .filters import PermitFilter, SlotFilter
from .serializers import (
    InspectionResultSerializer,
    MaterialUploadSerializer,
    PermitSerializer,
    PrecheckBookingSerializer,
    PrecheckSlotSerializer,
    ProposalSerializer,
    ReasonSerializer,
    RecheckRequestSerializer,
    RequiredReasonSerializer,
    ReturnSerializer,
    SendBackSerializer,
    SignSerializer,
    VerificationSerializer,
)


def _brigade_by_code(code: str, field: str = "county") -> OrgUnit:
    try:
        return OrgUnit.objects.get(code=str(code).upper(), kind=OrgUnit.Kind.BRIGADE)
    except OrgUnit.DoesNotExist as exc:
        raise ValidationError({field: [_("未知的县（市、区）代码。")]}) from exc


def _validation(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


PERMIT_ACTION_RESPONSES = {
    200: PermitSerializer,
    400: OpenApiResponse(description="输入有误"),
    403: OpenApiResponse(description="角色无权执行该操作"),
    404: OpenApiResponse(description="不存在或不在本人权限范围内"),
    409: OpenApiResponse(description="当前状态不允许该操作，或已被他人更新"),
}


@extend_schema_view(
    list=extend_schema(summary="消防安全检查申请列表", tags=["permits"]),
    retrieve=extend_schema(summary="申请详情", tags=["permits"]),
    create=extend_schema(summary="新建申请（草稿）", tags=["permits"]),
    partial_update=extend_schema(
        summary="修改草稿或退回补正的申请",
        tags=["permits"],
        responses={
            200: PermitSerializer,
            409: OpenApiResponse(description="申请已提交或已在办理中，不能再修改"),
        },
    ),
)
class PermitViewSet(
    PDFActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PermitSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = PermitFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PermitApplication]:
        return selectors.application_api_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["many"] = self.action == "list"
        return context

    def _require_applicant(self) -> None:
        if not kernel.is_applicant(self.request.user):
            raise PermissionDenied(_("只有申请人可以办理此操作。"))

    def _require_staff(self) -> None:
        # Handling staff only: the legal officer reads the applications, decides nothing.
        if not policies.can_use_staff_pages(self.request.user):
            raise PermissionDenied(_("只有工作人员可以办理此操作。"))

    def _fields(self, validated: dict[str, Any]) -> tuple[OrgUnit | None, dict[str, Any]]:
        brigade_data = validated.pop("brigade", None)
        brigade = _brigade_by_code(brigade_data["code"]) if brigade_data else None
        return brigade, validated

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_applicant()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        brigade, fields = self._fields(dict(serializer.validated_data))
        try:
            application = app_services.create_draft(
                applicant=request.user, brigade=brigade, **fields
            )
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(
            self.get_serializer(self.get_queryset().get(pk=application.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_applicant()
        application = self.get_object()
        serializer = self.get_serializer(application, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        brigade, fields = self._fields(dict(serializer.validated_data))
        try:
            app_services.update_draft(
                application=application, actor=request.user, brigade=brigade, **fields
            )
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)

    def _act(self, func: Any, **kwargs: Any) -> Response:
        application = self.get_object()
        try:
            func(application=application, actor=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)

    @extend_schema(
        request=None, responses=PERMIT_ACTION_RESPONSES, tags=["permits"], summary="提交申请"
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        self._require_applicant()
        return self._act(app_services.submit_application)

    @extend_schema(
        request=SignSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="签署告知承诺书",
    )
    @action(detail=True, methods=["post"], url_path="sign-commitment")
    def sign_commitment(self, request: Request, pk: str | None = None) -> Response:
        self._require_applicant()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.sign_commitment, **data.validated_data)

    @extend_schema(
        request={"multipart/form-data": MaterialUploadSerializer},
        responses={201: OpenApiResponse(description="已上传"), **PERMIT_ACTION_RESPONSES},
        tags=["permits"],
        summary="上传申请材料（PDF/JPEG/PNG）",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    @idempotent
    def materials(self, request: Request, pk: str | None = None) -> Response:
        self._require_applicant()
        data = MaterialUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = self.get_object()
        try:
            material = app_services.add_material(
                application=application,
                actor=request.user,
                kind=data.validated_data["kind"],
                uploaded=data.validated_data["file"],
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        return Response(
            {"id": material.pk, "kind": material.kind, "name": material.original_name},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="受理（检查方式）",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        return self._act(app_services.accept_application)

    @extend_schema(
        request=ReturnSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="退回补正（一次性告知全部内容）",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_completion(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.return_application, **data.validated_data)

    @extend_schema(
        request=InspectionResultSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="记录现场检查结果",
    )
    @action(detail=True, methods=["post"])
    def inspect(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = InspectionResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.record_inspection, **data.validated_data)

    @extend_schema(
        request=ProposalSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="提出拟办意见（准予或不予许可，报大队领导审批）",
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = ProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.propose_decision, **data.validated_data)

    @extend_schema(
        request=SendBackSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="退回拟办意见重拟（大队或支队领导）",
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = SendBackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.send_back_proposal, **data.validated_data)

    @extend_schema(
        request=ReasonSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="准予许可（大队或支队领导批准拟办意见）",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.approve_application, **data.validated_data)

    @extend_schema(
        request=ReasonSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="不予许可（大队或支队领导批准拟办意见）",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.reject_application, **data.validated_data)

    @extend_schema(
        request=VerificationSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="记录核查（整改期间为复查）结果",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = VerificationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.record_verification, **data.validated_data)

    @extend_schema(
        request=RequiredReasonSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="撤销许可（逾期未整改、复查不合格）",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        self._require_staff()
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.revoke_permit, **data.validated_data)

    @extend_schema(
        request=RecheckRequestSerializer,
        responses=PERMIT_ACTION_RESPONSES,
        tags=["permits"],
        summary="整改完毕，申请复查",
    )
    @action(detail=True, methods=["post"], url_path="request-recheck")
    def request_recheck(self, request: Request, pk: str | None = None) -> Response:
        self._require_applicant()
        data = RecheckRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(app_services.request_recheck, **data.validated_data)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: PREPARING_RESPONSE,
            404: OpenApiResponse(description="尚未作出许可决定，或无权查看"),
        },
        tags=["permits"],
        summary="许可意见书 PDF",
    )
    @action(detail=True, methods=["get"], url_path="decision.pdf")
    def decision_pdf(self, request: Request, pk: str | None = None) -> Any:
        application = self.get_object()
        document = application.documents.filter(kind=DocumentKind.DECISION).first()
        if document is None:
            raise Http404
        response = issued_document_api_response(
            document, f"{application.reference}-消防安全检查意见书.pdf"
        )
        if response.status_code == 200 and application.served_at is None:
            # The applicant's own download serves the permit document (行政许可法 art. 44).
            app_services.record_download_service(application=application, actor=request.user)
        return response


@extend_schema_view(
    list=extend_schema(summary="预约体检时段", tags=["precheck"]),
    retrieve=extend_schema(summary="时段详情", tags=["precheck"]),
    create=extend_schema(
        summary="发布时段（工作人员）",
        tags=["precheck"],
        responses={
            201: PrecheckSlotSerializer,
            409: OpenApiResponse(description="该监督员在这个时间已有时段"),
        },
    ),
)
class PrecheckSlotViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PrecheckSlotSerializer
    permission_classes = [ReadAnyWriteStaff]
    filterset_class = SlotFilter

    def get_queryset(self) -> QuerySet[PrecheckSlot]:
        return PrecheckSlot.objects.select_related("brigade", "inspector").order_by(
            "starts_at", "pk"
        )

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        brigade = _brigade_by_code(data["brigade"]["code"], field="brigade")
        try:
            slot = precheck_services.publish_slot(
                actor=request.user,
                brigade=brigade,
                inspector=data["inspector"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity=data.get("capacity", 1),
            )
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        except PermissionError as exc:  # pragma: no cover - defensive
            raise PermissionDenied from exc
        return Response(self.get_serializer(slot).data, status=status.HTTP_201_CREATED)


BOOKING_RESPONSES = {
    400: OpenApiResponse(
        description="输入有误，时段已开始，或场所所在县与时段所属大队不同而未确认"
        "（confirm_county_mismatch）"
    ),
    403: OpenApiResponse(description="只有申请人可以预约"),
    409: OpenApiResponse(description="该时段已约满，已预约过，或已达未完成预约数上限"),
}


@extend_schema_view(
    list=extend_schema(summary="我的预约体检（工作人员：辖区内）", tags=["precheck"]),
    retrieve=extend_schema(summary="预约详情", tags=["precheck"]),
    create=extend_schema(
        summary="预约体检",
        tags=["precheck"],
        responses={201: PrecheckBookingSerializer, **BOOKING_RESPONSES},
    ),
)
class PrecheckBookingViewSet(
    PDFActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PrecheckBookingSerializer
    permission_classes = [IsAuthenticated]

    def get_permissions(self) -> list[Any]:
        if self.action in ("create", "cancel"):
            return [IsApplicant()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[PrecheckBooking]:
        return selectors.bookings_for_user(user=self.request.user).order_by("-created_at", "-pk")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        code = (data.get("venue_county") or {}).get("code")
        try:
            booking = precheck_services.book_precheck(
                applicant=request.user,
                slot_id=data["slot_id"],
                venue_name=data["venue_name"],
                venue_address=data["venue_address"],
                contact_phone=data["contact_phone"],
                venue_type=data.get("venue_type", ""),
                venue_county_code=code or None,
                confirm_county_mismatch=data.get("confirm_county_mismatch", False),
            )
        except precheck_services.SlotStarted as exc:
            raise ValidationError({"slot": [exc.message]}) from exc
        except precheck_services.CountyMismatch as exc:
            raise ValidationError({"confirm_county_mismatch": [exc.message]}) from exc
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: PrecheckBookingSerializer,
            404: OpenApiResponse(description="不存在"),
            409: OpenApiResponse(description="当前状态不能取消"),
        },
        tags=["precheck"],
        summary="取消预约",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        booking = self.get_object()
        if booking.applicant_id != request.user.pk:
            raise Http404
        precheck_services.cancel_booking(booking=booking, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=booking.pk)).data)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: PREPARING_RESPONSE,
            404: OpenApiResponse(description="尚未出具"),
        },
        tags=["precheck"],
        summary="一次性告知书 PDF",
    )
    @action(detail=True, methods=["get"], url_path="notice.pdf")
    def notice_pdf(self, request: Request, pk: str | None = None) -> Any:
        booking = self.get_object()
        if not booking.notice_issued_at:
            raise Http404
        notice = booking.notice
        if notice is None:
            raise Http404
        return issued_document_api_response(notice, f"{booking.notice_number}-一次性告知书.pdf")
