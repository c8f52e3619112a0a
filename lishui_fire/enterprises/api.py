"""``/api/v1/enterprises/``: the registry for staff systems, read-only, scoped by brigade."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from lishui_fire.accounts.permissions import PolicyPermission
from lishui_fire.core.api import ModelSerializer
from lishui_fire.core.masking import mask_name, mask_phone

from . import policies, selectors
from .forms import filter_enterprises
from .models import DishonestyList, Enterprise, RiskLevel, VenueType, validate_credit_grade


class EnterpriseSerializer(ModelSerializer):
    county = serializers.CharField(
        source="brigade.code", read_only=True, help_text="所属大队代码（LD、LQ…）"
    )
    county_name = serializers.SerializerMethodField(help_text="所属县区名称")
    contact_name = serializers.SerializerMethodField(help_text="联系人（已脱敏）")
    contact_phone = serializers.SerializerMethodField(help_text="联系电话（已脱敏）")
    dishonesty_status = serializers.SerializerMethodField(
        help_text="今日公示中的失信名单：none 未列入，ordinary 失信行为名单，serious 严重失信主体名单"
    )

    dishonesty_published_until = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="今日公示中的失信名单记录的公示截止日期（未列入为 null）；与信用等级分开",
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "name",
            "address",
            "county",
            "county_name",
            "venue_type",
            "risk_level",
            "credit_rating",
            "contact_name",
            "contact_phone",
            "dishonesty_status",
            "dishonesty_published_until",
            "updated_at",
        ]
        read_only_fields = fields

    def get_county_name(self, obj: Enterprise) -> str:
        return obj.brigade.division_name or obj.brigade.display_name

    @extend_schema_field({"type": "string", "enum": ["none", *DishonestyList.values]})
    def get_dishonesty_status(self, obj: Enterprise) -> str:
        return selectors.dishonesty_status(obj)

    def get_contact_name(self, obj: Enterprise) -> str:
        return mask_name(obj.contact_name)

    def get_contact_phone(self, obj: Enterprise) -> str:
        return mask_phone(obj.contact_phone)


class EnterpriseFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(method="filter_shared", help_text="所属大队代码，如 LD")
    # A code of the grade table (not an enum in code: supervisors maintain the scale).
    credit_rating = django_filters.CharFilter(
        validators=[validate_credit_grade], max_length=8, help_text="信用等级代码，如 A"
    )
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    venue_type = django_filters.ChoiceFilter(choices=VenueType.choices)
    search = django_filters.CharFilter(
        method="filter_search", help_text="单位名称包含，或统一社会信用代码开头"
    )

    dishonesty_published_until = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="今日公示中的失信名单记录的公示截止日期（未列入为 null）；与信用等级分开",
    )

    class Meta:
        model = Enterprise
        fields = ["county", "credit_rating", "risk_level", "venue_type", "search"]

    def filter_shared(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return filter_enterprises(queryset, **{name: value})

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return filter_enterprises(queryset, q=value)


class CanViewEnterprises(PolicyPermission):
    predicate = staticmethod(policies.can_view_enterprises)


@extend_schema_view(
    list=extend_schema(
        summary="社会单位列表",
        description="工作人员可见本大队辖区的单位（支队和管理员可见全部）；联系人和电话已脱敏。",
    ),
    retrieve=extend_schema(summary="社会单位详情"),
)
class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EnterpriseSerializer
    permission_classes = [CanViewEnterprises]
    filterset_class = EnterpriseFilter
    queryset = Enterprise.objects.none()  # for the schema; the real one is scoped per user

    def get_queryset(self) -> QuerySet[Enterprise]:
        return selectors.with_dishonesty_status(
            selectors.enterprises_for_user(user=self.request.user), day=timezone.localdate()
        ).order_by(*selectors.LIST_ORDER)
