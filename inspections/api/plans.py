"""``/api/v1/inspection-plans/`` (supervisors), ``/api/v1/public/inspection-plans/`` and
``/api/v1/public/inspection-results/`` (anyone, no login), API.md.

Every change goes through ``inspections.services.plans``; the public side shows what was
published (the frozen data, the commitment, the draw), never the secret seed before the draw,
never a person's name (officers appear by their public code).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
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
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.permissions import PolicyPermission
from lishui_fire.core.api import ModelSerializer, Serializer
from lishui_fire.core.masking import mask_name

from .. import policies
from .. import selectors_plans as selectors
from ..models import InspectionPlan, PlanStatus, PublishedResult, VenueClass
from ..services import plans as services


class CanWritePlans(PolicyPermission):
    predicate = staticmethod(policies.can_write_plans)


# --- Serializers ----------------------------------------------------------------------------
class ClassRatioSerializer(Serializer):
    """One class of enterprises and its base ratio: ``{"class": ..., "ratio": ...}``.

    "class" is a Python keyword, so the field is added in ``get_fields`` (it reads and
    validates as ``venue_class``); the older ``venue_class`` key is still accepted on input.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "class": serializers.ChoiceField(choices=VenueClass.choices, source="venue_class"),
            "ratio": serializers.DecimalField(
                max_digits=5,
                decimal_places=4,
                min_value=Decimal("0.0001"),
                max_value=Decimal(1),
                source="base_ratio",
            ),
        }

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and "venue_class" in data and "class" not in data:
            data = {**data, "class": data["venue_class"]}
        row = super().to_internal_value(data)
        return {"venue_class": row["venue_class"], "ratio": row["base_ratio"]}

    def to_representation(self, instance: Any) -> Any:
        return {"class": instance.venue_class, "ratio": str(instance.base_ratio)}


class GradeRatioSerializer(Serializer):
    """A class and grade's ratio (the plan's ratio table), as ``PlanSerializer.ratios``."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "class": serializers.ChoiceField(choices=VenueClass.choices, source="venue_class"),
            "grade": serializers.CharField(),
            "ratio": serializers.DecimalField(max_digits=5, decimal_places=4),
        }


class ItemSerializer(Serializer):
    code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=255)


class PlanWriteSerializer(Serializer):
    title = serializers.CharField(max_length=128)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    brigades = serializers.ListField(child=serializers.CharField(max_length=16), min_length=1)
    classes = ClassRatioSerializer(many=True)
    items = ItemSerializer(many=True)

    def validate_brigades(self, value: list[str]) -> list[OrgUnit]:
        codes = [str(c).upper() for c in value]
        found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes, kind="brigade")}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise serializers.ValidationError(
                _("未知的大队代码：%(codes)s。") % {"codes": "、".join(unknown)}
            )
        return [found[c] for c in dict.fromkeys(codes)]

    def validate_classes(self, value: list[dict]) -> dict[str, Decimal]:
        classes = {row["venue_class"]: row["ratio"] for row in value}
        if len(classes) != len(value):
            raise serializers.ValidationError(_("每类抽查对象只能填写一个比例。"))
        return classes

    def validate_items(self, value: list[dict]) -> list[tuple[str, str]]:
        return [(row.get("code", ""), row["text"]) for row in value]


class PlanReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=2000)


class PlanSerializer(ModelSerializer):
    brigades = serializers.SerializerMethodField()
    classes = ClassRatioSerializer(many=True, read_only=True)
    ratios = serializers.SerializerMethodField()
    items = ItemSerializer(many=True, read_only=True)
    candidate_count = serializers.SerializerMethodField()
    draw = serializers.SerializerMethodField()
    next_version = serializers.SerializerMethodField()

    class Meta:
        model = InspectionPlan
        fields = [
            "id", "title", "description", "period_start", "period_end", "status", "version",
            "previous", "next_version", "change_reason", "brigades", "classes", "ratios",
            "items", "published_at", "seed_commitment", "candidates_fingerprint",
            "inspectors_fingerprint", "algorithm", "candidate_count", "draw",
        ]  # fmt: skip
        read_only_fields = fields

    def get_brigades(self, plan: InspectionPlan) -> list[str]:
        return [b.code for b in plan.brigades.all()]

    @extend_schema_field(GradeRatioSerializer(many=True))
    def get_ratios(self, plan: InspectionPlan) -> list[dict[str, str]]:
        return [
            {"class": r.venue_class, "grade": r.grade, "ratio": str(r.ratio)}
            for r in plan.ratios.all()
        ]

    def get_candidate_count(self, plan: InspectionPlan) -> int | None:
        return len(plan.published_data["candidates"]) if plan.published_data else None

    def get_next_version(self, plan: InspectionPlan) -> int | None:
        following = getattr(plan, "next_version", None)
        return following.pk if following is not None else None

    def get_draw(self, plan: InspectionPlan) -> dict[str, Any] | None:
        return draw_record(plan)


def draw_record(plan: InspectionPlan) -> dict[str, Any] | None:
    """The draw as published: the algorithm's result (seed, fingerprints, selection) and
    when it was drawn, voided and why."""
    draw = getattr(plan, "draw", None)
    if draw is None:
        return None
    return {
        **draw.result,
        "drawn_at": draw.drawn_at.isoformat(),
        "voided_at": draw.voided_at.isoformat() if draw.voided_at else None,
        "void_reason": draw.void_reason,
    }


class PublicPlanSerializer(PlanSerializer):
    """The public plan: scope, ratios, items, versions and the commitment; the frozen data
    (``data``) and, after the draw, the draw (``draw``) — what scripts/verify_draw.py reads."""

    data = serializers.JSONField(source="published_data", read_only=True)
    superseded_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "superseded_at", "data"]
        read_only_fields = fields


class PublicListSerializer(PlanSerializer):
    class Meta(PlanSerializer.Meta):
        fields = [
            "id", "title", "period_start", "period_end", "status", "version", "previous",
            "next_version", "change_reason", "brigades", "published_at", "seed_commitment",
            "candidates_fingerprint", "inspectors_fingerprint", "algorithm", "candidate_count",
        ]  # fmt: skip
        read_only_fields = fields


class PublicResultSerializer(ModelSerializer):
    plan = serializers.IntegerField(source="plan_id")
    plan_title = serializers.CharField(source="plan.title")
    enterprise = serializers.CharField(source="inspection.enterprise.name")
    uscc = serializers.CharField(source="inspection.enterprise.uscc")
    brigade = serializers.CharField(source="inspection.brigade.code")
    reference = serializers.CharField(source="inspection.reference")
    visited_on = serializers.SerializerMethodField()
    result = serializers.CharField(source="inspection.result")
    result_label = serializers.CharField(source="inspection.get_result_display")
    rectification = serializers.CharField(source="inspection.get_status_display")
    rectify_by = serializers.DateField(source="inspection.rectify_by")
    inspectors = serializers.SerializerMethodField()

    class Meta:
        model = PublishedResult
        fields = [
            "id", "plan", "plan_title", "enterprise", "uscc", "brigade", "reference",
            "visited_on", "result", "result_label", "rectification", "rectify_by",
            "inspectors", "published_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_visited_on(self, row: PublishedResult) -> str | None:
        from django.utils import timezone

        visited = row.inspection.visited_at
        return timezone.localdate(visited).isoformat() if visited else None

    def get_inspectors(self, row: PublishedResult) -> list[str]:
        # Officers' names masked (王**), as public notices print them.
        return [mask_name(a.officer.real_name) for a in row.inspection.assignments.all()]


# --- Supervisors -----------------------------------------------------------------------------
ACTION_RESPONSES = {
    200: PlanSerializer,
    403: OpenApiResponse(description="角色无权执行该操作"),
    404: OpenApiResponse(description="不存在或不在本人权限范围内"),
    409: OpenApiResponse(description="当前状态不允许该操作，或已被他人抢先"),
}


@extend_schema_view(
    list=extend_schema(summary="抽查计划列表（本人负责的大队）", tags=["inspections"]),
    retrieve=extend_schema(summary="抽查计划详情", tags=["inspections"]),
    create=extend_schema(
        summary="新建抽查计划（草稿）",
        tags=["inspections"],
        request=PlanWriteSerializer,
        responses={201: PlanSerializer},
    ),
    partial_update=extend_schema(
        summary="修改草稿",
        tags=["inspections"],
        request=PlanWriteSerializer,
        responses={200: PlanSerializer, 409: OpenApiResponse(description="计划已公开")},
    ),
)
class InspectionPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlanSerializer
    permission_classes = [CanWritePlans]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[InspectionPlan]:
        ids = policies.plans_for_user(self.request.user).values("pk")
        return selectors.plan_detail_queryset().filter(pk__in=ids).order_by("-pk")

    def _plan(self, plan: InspectionPlan) -> Response:
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk)).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.create_plan(actor=request.user, **serializer.validated_data)
        return Response(
            PlanSerializer(self.get_queryset().get(pk=plan.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        current = PlanSerializer(plan).data
        merged = {
            "title": current["title"],
            "description": current["description"],
            "period_start": current["period_start"],
            "period_end": current["period_end"],
            "brigades": current["brigades"],
            "classes": current["classes"],
            "items": current["items"],
            **(request.data if isinstance(request.data, dict) else {}),
        }
        serializer = PlanWriteSerializer(data=merged)
        serializer.is_valid(raise_exception=True)
        services.update_draft_plan(actor=request.user, plan=plan, **serializer.validated_data)
        return self._plan(plan)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary="公开计划（冻结并公布抽取承诺）", request=None, responses=ACTION_RESPONSES
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        plan = services.publish_plan(actor=request.user, plan=self.get_object())
        return self._plan(plan)

    @extend_schema(
        summary="修订已公开的计划（生成新版本草稿）",
        request=PlanReasonSerializer,
        responses={**ACTION_RESPONSES, 201: PlanSerializer},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: Any = None) -> Response:
        plan = self.get_object()
        serializer = PlanReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision = services.revise_plan(
            actor=request.user, plan=plan, reason=serializer.validated_data["reason"]
        )
        return Response(
            PlanSerializer(self.get_queryset().get(pk=revision.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="抽取（公开随机种子并执行抽取，仅一次）",
        request=None,
        responses={**ACTION_RESPONSES, 200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def draw(self, request: Request, pk: Any = None) -> Response:
        plan = self.get_object()
        services.draw_plan(actor=request.user, plan=plan)
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(draw_record(plan))

    @extend_schema(
        summary="作废抽取结果（须说明理由；生成替代版本）",
        request=PlanReasonSerializer,
        responses={**ACTION_RESPONSES, 201: PlanSerializer},
    )
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: Any = None) -> Response:
        plan = self.get_object()
        serializer = PlanReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        replacement = services.void_draw(
            actor=request.user, plan=plan, reason=serializer.validated_data["reason"]
        )
        return Response(
            PlanSerializer(self.get_queryset().get(pk=replacement.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="公开本计划已检查单位的检查结果",
        request=None,
        responses={**ACTION_RESPONSES, 200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"], url_path="publish-results")
    def publish_results(self, request: Request, pk: Any = None) -> Response:
        published = services.publish_plan_results(actor=request.user, plan=self.get_object())
        return Response({"published": len(published)})


# --- Public -----------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="已公开的抽查计划（无需登录）", tags=["public"]),
    retrieve=extend_schema(
        summary="公开的抽查计划：范围、比例、事项、版本、承诺、公开数据与抽取结果",
        tags=["public"],
    ),
)
class PublicInspectionPlanViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_queryset(self) -> QuerySet[InspectionPlan]:
        ids = selectors.public_plans().values("pk")
        return selectors.plan_detail_queryset().filter(pk__in=ids).order_by("-published_at", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return PublicListSerializer if self.action == "list" else PublicPlanSerializer

    @extend_schema(
        summary="用公开数据重新抽取并与公布结果比对",
        tags=["public"],
        responses={200: OpenApiTypes.OBJECT, 409: OpenApiResponse(description="尚未抽取")},
    )
    @action(detail=True, methods=["get"])
    def verify(self, request: Request, pk: Any = None) -> Response:
        plan = self.get_object()
        return Response(services.verify_plan_draw(plan))


@extend_schema_view(
    list=extend_schema(summary="已公开的抽查结果（无需登录，人员姓名已遮蔽）", tags=["public"]),
    retrieve=extend_schema(summary="一条公开的抽查结果", tags=["public"]),
)
class PublicInspectionResultViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = PublicResultSerializer

    def get_queryset(self) -> QuerySet[PublishedResult]:
        queryset = (
            PublishedResult.objects.select_related(
                "plan", "inspection__enterprise", "inspection__brigade"
            )
            .prefetch_related("inspection__assignments__officer")
            .order_by("-published_at", "-pk")
        )
        plan = self.request.query_params.get("plan")
        if plan:
            if not plan.isdigit():
                return queryset.none()
            queryset = queryset.filter(plan_id=int(plan))
        return queryset


def public_plan_or_404(pk: Any) -> InspectionPlan:
    return get_object_or_404(
        selectors.plan_detail_queryset().exclude(status=PlanStatus.DRAFT), pk=pk
    )
