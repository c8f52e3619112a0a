"""Query-string filters of the permits API lists."""

from __future__ import annotations

import django_filters
from django.db.models import F, QuerySet
from django.utils import timezone

from lishui_fire.core.api import BooleanFilter

from ..models import PermitApplication, PermitPath, PrecheckSlot
from ..workflow import PermitStatus


class PermitFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PermitStatus.choices)
    path = django_filters.ChoiceFilter(choices=PermitPath.choices)
    county = django_filters.CharFilter(field_name="brigade__code", lookup_expr="iexact")
    green_channel = BooleanFilter()

    class Meta:
        model = PermitApplication
        fields = ["status", "path", "county", "green_channel"]


class SlotFilter(django_filters.FilterSet):
    """Without ``date_from`` or ``date_to`` the list starts now: what an applicant can still
    book. Staff looking back pass ``date_from``."""

    brigade = django_filters.CharFilter(field_name="brigade__code", lookup_expr="iexact")
    date_from = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")
    available = BooleanFilter(
        method="filter_available", help_text="true：只列出尚未开始且仍有名额的时段"
    )

    class Meta:
        model = PrecheckSlot
        fields = ["brigade", "date_from", "date_to", "available"]

    @property
    def qs(self) -> QuerySet[PrecheckSlot]:
        queryset = super().qs
        if not ({"date_from", "date_to"} & set(self.data)):
            queryset = queryset.filter(starts_at__gt=timezone.now())
        return queryset

    def filter_available(
        self, queryset: QuerySet[PrecheckSlot], name: str, value: bool | None
    ) -> QuerySet[PrecheckSlot]:
        if value:
            return queryset.filter(starts_at__gt=timezone.now(), booked__lt=F("capacity"))
        return queryset
