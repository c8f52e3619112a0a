"""``/api/v1/inspections/`` (API.md): inspectors see the inspections assigned to them,
supervisors their scope; fields: visits, findings, result, rectification due date, clocks.

Actions, one per change (``inspections/services/visits.py``): ``schedule``, ``findings``,
``record``, ``confirm``, ``return``, ``serve-notice``, ``request-recheck``; and the documents as
PDF files. 400 field errors, 403 a role that may not act, 404 outside the caller's scope, 409 an
illegal or stale move. The inspected unit's registered contact asks for the re-check and
downloads its documents here; its other reads are the enterprise pages'.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from lishui_fire.accounts import policies as kernel
from lishui_fire.core.api import PDFActionMixin
from lishui_fire.core.api import Serializer as BaseSerializer
from lishui_fire.core.document_api import PREPARING_RESPONSE, issued_document_api_response

from .. import policies_visits as policies
from .. import rules_visits as rules
from .. import selectors_visits as selectors
from ..models import (
    ChecklistOutcome,
    Inspection,
    InspectionDocument,
    InspectionDocumentKind,
    InspectionFinding,
    InspectionResult,
    ViolationCode,
)
from ..services import visits as services


def _validation(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


# --- Serializers -----------------------------------------------------------------------------------
class InspectionOfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="officer_id")
    name = serializers.SerializerMethodField()
    is_lead = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)

    def get_name(self, obj: Any) -> str:
        return obj.officer.real_name or obj.officer.username


class InspectionFindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    violation_code = serializers.CharField(source="violation.code")
    violation_title = serializers.CharField(source="violation.title")
    legal_basis = serializers.CharField(source="violation.legal_basis")
    description = serializers.CharField()
    location = serializers.CharField()
    corrected_on_spot = serializers.BooleanField()
    has_photo = serializers.SerializerMethodField()

    def get_has_photo(self, obj: Any) -> bool:
        return bool(obj.photo)


class InspectionChecklistSerializer(serializers.Serializer):
    text = serializers.CharField()
    outcome = serializers.ChoiceField(choices=ChecklistOutcome.choices)


class InspectionDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InspectionDocumentKind.choices)
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()


class InspectionClockSerializer(serializers.Serializer):
    milestone = serializers.CharField()
    rule = serializers.CharField(source="rule.code")
    name = serializers.CharField(source="rule.name")
    legal_basis = serializers.CharField(source="rule.legal_basis")
    started_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    provisional = serializers.BooleanField()
    state = serializers.SerializerMethodField()

    def get_state(self, obj: Any) -> str:
        return rules.due_state(obj.due_date, self.context["today"]) or "running"


class InspectionVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    visited_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField()


class InspectionEnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    venue_type = serializers.CharField()


class InspectionSerializer(serializers.ModelSerializer):
    enterprise = InspectionEnterpriseSerializer(read_only=True)
    brigade = serializers.CharField(source="brigade.code", read_only=True)
    officers = InspectionOfficerSerializer(source="assignments", many=True, read_only=True)
    findings = InspectionFindingSerializer(many=True, read_only=True)
    checklist = InspectionChecklistSerializer(many=True, read_only=True)
    documents = InspectionDocumentSerializer(many=True, read_only=True)
    visits = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    rectification_due = serializers.DateField(source="rectify_by", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "plan",
            "follows",
            "enterprise",
            "brigade",
            "officers",
            "planned_date",
            "visited_at",
            "result",
            "rectify_by",
            "rectification_due",
            "recheck_requested_at",
            "rectified_on",
            "visit_note",
            "next_due",
            "overdue",
            "visits",
            "findings",
            "checklist",
            "documents",
            "clocks",
        ]
        read_only_fields = fields
        # Read-only model fields lose ``allow_blank`` in DRF: the result is "" until recorded.
        extra_kwargs = {"result": {"allow_blank": True}}

    @extend_schema_field(InspectionVisitSerializer(many=True))
    def get_visits(self, obj: Inspection) -> list[dict[str, Any]]:
        """This visit and its re-checks, in order."""
        return InspectionVisitSerializer([obj, *obj.rechecks.all()], many=True).data

    @extend_schema_field(InspectionClockSerializer(many=True))
    def get_clocks(self, obj: Inspection) -> list[dict[str, Any]]:
        found = self.context.get("clocks", {}).get(obj.pk, [])
        return InspectionClockSerializer(found, many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: Inspection) -> bool:
        return rules.due_state(obj.next_due, self.context["today"]) == "overdue"


class InspectionScheduleSerializer(BaseSerializer):
    planned_date = serializers.DateField()


class InspectionFindingInputSerializer(BaseSerializer):
    violation = serializers.SlugRelatedField(
        slug_field="code", queryset=ViolationCode.objects.filter(active=True)
    )
    description = serializers.CharField(max_length=500)
    location = serializers.CharField(max_length=128)
    corrected_on_spot = serializers.BooleanField(default=False)
    photo = serializers.FileField(required=False)


class InspectionRecordSerializer(BaseSerializer):
    result = serializers.ChoiceField(choices=InspectionResult.choices)
    visited_at = serializers.DateTimeField(required=False)
    rectify_by = serializers.DateField(required=False, allow_null=True)
    rectified_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    checklist = serializers.DictField(
        child=serializers.ChoiceField(choices=ChecklistOutcome.choices), required=False
    )


class InspectionReturnSerializer(BaseSerializer):
    reason = serializers.CharField(max_length=500)


ACTION_RESPONSES = {
    200: InspectionSerializer,
    400: OpenApiResponse(description="输入有误"),
    403: OpenApiResponse(description="角色无权执行该操作"),
    404: OpenApiResponse(description="不存在或不在本人权限范围内"),
    409: OpenApiResponse(description="当前状态不允许该操作，或已被他人更新"),
}
PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    202: PREPARING_RESPONSE,
    404: OpenApiResponse(description="没有该文书，或不在本人权限范围内"),
}


@extend_schema_view(
    list=extend_schema(
        summary="监督检查列表（检查人员：分派给本人的；领导：本单位范围）", tags=["inspections"]
    ),
    retrieve=extend_schema(summary="监督检查详情", tags=["inspections"]),
)
class InspectionViewSet(
    PDFActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = InspectionSerializer
    permission_classes = [IsAuthenticated]
    # The inspected unit's contact reaches these through its own queryset (404 for others).
    CONTACT_ACTIONS = (
        "request_recheck",
        "record_pdf",
        "immediate_notice_pdf",
        "deadline_notice_pdf",
    )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user = request.user
        if kernel.is_applicant(user) and self.action in self.CONTACT_ACTIONS:
            return
        if not policies.can_read_inspections(user):
            raise PermissionDenied(_("只有检查人员及其领导可以查看监督检查。"))

    def get_queryset(self) -> QuerySet[Inspection]:
        user = self.request.user
        if kernel.is_applicant(user):
            base = selectors.inspections_for_enterprise_contact(user=user)
        else:
            base = selectors.inspection_list_for_user(user=user)
        return base.prefetch_related(
            Prefetch(
                "findings",
                queryset=InspectionFinding.objects.select_related("violation").order_by("pk"),
            ),
            "checklist",
            Prefetch("documents", queryset=InspectionDocument.objects.order_by("issued_at", "pk")),
            Prefetch("rechecks", queryset=Inspection.objects.order_by("pk")),
        )

    def get_serializer_context(self) -> dict[str, Any]:
        from django.utils import timezone

        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        return context

    def _serialize(self, rows: list[Inspection]) -> Any:
        context = self.get_serializer_context()
        context["clocks"] = selectors.live_clocks_by_inspection(rows)
        return InspectionSerializer(rows, many=True, context=context).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(list(page)))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._serialize([self.get_object()])[0])

    def _fresh(self, inspection: Inspection) -> Response:
        return Response(self._serialize([self.get_queryset().get(pk=inspection.pk)])[0])

    def _act(self, func: Any, **kwargs: Any) -> Response:
        inspection = self.get_object()
        try:
            func(inspection=inspection, actor=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return self._fresh(inspection)

    @extend_schema(request=InspectionScheduleSerializer, responses=ACTION_RESPONSES, tags=["inspections"],
                   summary="安排检查日期")  # fmt: skip
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        data = InspectionScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.schedule_inspection, **data.validated_data)

    @extend_schema(
        request={"multipart/form-data": InspectionFindingInputSerializer,
                 "application/json": InspectionFindingInputSerializer},
        responses={201: InspectionFindingSerializer, **ACTION_RESPONSES},
        tags=["inspections"],
        summary="记录一个发现的问题（可附照片）",
    )  # fmt: skip
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def findings(self, request: Request, pk: str | None = None) -> Response:
        data = InspectionFindingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = self.get_object()
        values = dict(data.validated_data)
        try:
            finding = services.add_finding(
                inspection=inspection,
                actor=request.user,
                violation=values["violation"],
                description=values["description"],
                location=values["location"],
                corrected_on_spot=values.get("corrected_on_spot", False),
                photo=values.get("photo"),
            )
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        finding = InspectionFinding.objects.select_related("violation").get(pk=finding.pk)
        return Response(InspectionFindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InspectionRecordSerializer, responses=ACTION_RESPONSES, tags=["inspections"],
                   summary="提交现场检查记录（检查项目、结果、整改期限）")  # fmt: skip
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str | None = None) -> Response:
        data = InspectionRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.record_visit, **data.validated_data)

    @extend_schema(request=None, responses=ACTION_RESPONSES, tags=["inspections"],
                   summary="检查人员确认检查记录（两人确认后生效）")  # fmt: skip
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        return self._act(services.confirm_record)

    @extend_schema(request=InspectionReturnSerializer, responses=ACTION_RESPONSES, tags=["inspections"],
                   summary="退回检查记录修改")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_record(self, request: Request, pk: str | None = None) -> Response:
        data = InspectionReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.return_record, **data.validated_data)

    @extend_schema(request=None, responses=ACTION_RESPONSES, tags=["inspections"],
                   summary="出具并送达责令限期改正通知书")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="serve-notice", url_name="serve-notice")
    def serve_notice(self, request: Request, pk: str | None = None) -> Response:
        return self._act(services.serve_deadline_notice)

    @extend_schema(request=None, responses=ACTION_RESPONSES, tags=["inspections"],
                   summary="申请复查（被检查单位，或检查人员登记当面申请）")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="request-recheck", url_name="request-recheck")
    def request_recheck(self, request: Request, pk: str | None = None) -> Response:
        inspection = self.get_object()
        services.request_recheck(inspection, request.user)
        if kernel.is_applicant(request.user):
            return Response(
                {"id": inspection.pk, "recheck_requested_at": inspection.recheck_requested_at}
            )
        return self._fresh(inspection)

    def _pdf(self, kind: str) -> Any:
        inspection = self.get_object()
        document = inspection.documents.filter(kind=kind).first()
        if document is None:
            raise NotFound(_("该检查没有这份文书。"))
        return issued_document_api_response(
            document, f"{inspection.reference}-{document.get_kind_display()}.pdf"
        )

    @extend_schema(responses=PDF_RESPONSES, tags=["inspections"], summary="消防监督检查记录（PDF）")
    @action(detail=True, methods=["get"], url_path="record.pdf", url_name="record-pdf")
    def record_pdf(self, request: Request, pk: str | None = None) -> Any:
        return self._pdf(InspectionDocumentKind.RECORD)

    @extend_schema(
        responses=PDF_RESPONSES, tags=["inspections"], summary="责令立即改正通知书（PDF）"
    )
    @action(detail=True, methods=["get"], url_path="immediate.pdf",
            url_name="immediate-notice-pdf")  # fmt: skip
    def immediate_notice_pdf(self, request: Request, pk: str | None = None) -> Any:
        return self._pdf(InspectionDocumentKind.IMMEDIATE_NOTICE)

    @extend_schema(
        responses=PDF_RESPONSES, tags=["inspections"], summary="责令限期改正通知书（PDF）"
    )
    @action(detail=True, methods=["get"], url_path="deadline.pdf",
            url_name="deadline-notice-pdf")  # fmt: skip
    def deadline_notice_pdf(self, request: Request, pk: str | None = None) -> Any:
        return self._pdf(InspectionDocumentKind.DEADLINE_NOTICE)
