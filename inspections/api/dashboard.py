"""``/api/v1/inspection-dashboard/``: the supervisors' figures of measure 3 as JSON.

The same selectors as the page (``inspections/views/dashboard.py``): a brigade supervisor gets
their brigade (another brigade's code: 404), the detachment and administrators every brigade or
the one named; 400 for a bad year; 401/403 for everyone else.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lishui_fire.accounts.permissions import PolicyPermission
from lishui_fire.core.api import Serializer

from .. import policies, selectors
from ..forms.dashboard import FIRST_YEAR

LOAD_LIMIT = 500
CAPPED_LIMIT = 50


class CanViewDashboard(PolicyPermission):
    predicate = staticmethod(policies.can_view_dashboard)


class DashboardQuerySerializer(Serializer):
    brigade = serializers.CharField(
        required=False, allow_blank=True, max_length=8, help_text="大队代码，如 LD（支队可选）"
    )
    year = serializers.IntegerField(required=False, help_text="年度，默认今年")

    def validate_year(self, value: int) -> int:
        if not FIRST_YEAR <= value <= timezone.localdate().year:
            raise serializers.ValidationError(
                _("年度应在 %(first)s 至 %(last)s 之间。")
                % {"first": FIRST_YEAR, "last": timezone.localdate().year}
            )
        return value


class _Plan(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.CharField()
    drawn = serializers.IntegerField(source="drawn_n")
    visited = serializers.IntegerField(source="visited_n")
    ordered_to_correct = serializers.IntegerField(source="ordered_n")
    rectified = serializers.IntegerField(source="rectified_n")
    results_published = serializers.IntegerField(source="published_n")


class _ClockRow(Serializer):
    rule = serializers.CharField(source="rule__code")
    rule_name = serializers.CharField(source="rule__name")
    brigade = serializers.CharField(allow_null=True)
    overdue = serializers.IntegerField(source="n")


class _CappedUnit(Serializer):
    enterprise_id = serializers.IntegerField()
    name = serializers.CharField(source="enterprise__name")
    credit_rating = serializers.CharField(source="enterprise__credit_rating")
    random = serializers.IntegerField(source="random_n", help_text="双随机抽查次数")
    campaign_or_joint = serializers.IntegerField(source="other_n", help_text="专项、联合检查次数")
    counted = serializers.IntegerField(help_text="计入年度上限的次数")
    cap = serializers.IntegerField(allow_null=True, help_text="该等级的年度上限")


class _Capped(Serializer):
    units = serializers.IntegerField(help_text="本年度接受过计划及随机检查的受限单位数")
    most = serializers.IntegerField(help_text="单个单位最多次数")
    over = serializers.IntegerField(help_text="超过年度上限的单位数（应为 0）")
    caps = serializers.DictField(child=serializers.IntegerField(), help_text="等级代码 → 上限")
    top = _CappedUnit(many=True)


class _Load(Serializer):
    officer_id = serializers.IntegerField()
    name = serializers.CharField(source="officer__real_name")
    brigade = serializers.CharField(source="officer__org_unit__code", allow_null=True)
    assignments = serializers.IntegerField(source="total")
    open = serializers.IntegerField(source="open_n")
    drawn = serializers.IntegerField(source="drawn_n")


class _Hazards(Serializer):
    brigade = serializers.CharField(source="brigade.code")
    found = serializers.IntegerField()
    corrected_on_spot = serializers.IntegerField(source="on_spot")
    ordered_to_correct = serializers.IntegerField(source="ordered")
    rectified_on_time = serializers.IntegerField(source="on_time")
    late_or_not_rectified = serializers.IntegerField(source="late")
    open_past_deadline = serializers.IntegerField(source="open_late")


class DashboardSerializer(Serializer):
    year = serializers.IntegerField()
    brigade = serializers.CharField(allow_null=True, help_text="所选大队；null 为全支队")
    plans = _Plan(many=True)
    overdue_clocks = _ClockRow(many=True)
    capped = _Capped()
    inspector_load = _Load(many=True)
    hazards = _Hazards(many=True)


class InspectionDashboardView(APIView):
    permission_classes = [CanViewDashboard]

    @extend_schema(
        parameters=[DashboardQuerySerializer],
        responses={
            200: DashboardSerializer,
            400: OpenApiResponse(description="年度或大队代码有误"),
            404: OpenApiResponse(description="其他大队（不在本人范围内）"),
        },
        tags=["inspections"],
        summary="双随机检查工作情况（大队或支队）",
    )
    def get(self, request: Request) -> Response:
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = (query.validated_data.get("brigade") or "").strip().upper()
        resolved = selectors.resolve_dashboard_scope(
            user=request.user,
            brigade_code=code,
            year=query.validated_data.get("year") or timezone.localdate().year,
        )
        if code and resolved.brigade is None:
            raise serializers.ValidationError(
                {"brigade": [_("没有这个大队代码：%(code)s。") % {"code": code}]}
            )
        return Response(DashboardSerializer(_figures(resolved)).data)


def _figures(resolved: selectors.ResolvedScope) -> dict[str, Any]:
    scope = resolved.scope
    grades = selectors.capped_grades()
    clocks = selectors.overdue_clocks(scope=scope, now=timezone.now())
    top = list(selectors.capped_units(scope=scope, grades=grades)[:CAPPED_LIMIT]) if grades else []
    return {
        "year": scope.year,
        "brigade": resolved.brigade.code if resolved.brigade else None,
        "plans": selectors.plan_coverage(scope=scope),
        "overdue_clocks": [
            {**row, "brigade": getattr(resolved.by_id.get(row["brigade_id"]), "code", None)}
            for row in clocks.by_rule
        ],
        "capped": {
            **selectors.capped_summary(scope=scope, grades=grades),
            "caps": {code: g.max_planned_inspections_per_year for code, g in grades.items()},
            "top": top,
        },
        "inspector_load": selectors.inspector_load(scope=scope)[:LOAD_LIMIT],
        "hazards": selectors.hazards(
            scope=scope, today=timezone.localdate(), brigades=resolved.brigades
        ),
    }
