"""``/api/v1/quiet-periods/``, ``/api/v1/incidents/`` and ``/api/v1/investigations/`` (API.md).

Quiet periods: anyone reads the current and coming ones; supervisors write. Incidents and
investigations: staff, scoped by the kernel's brigade rule (a row outside the scope is a 404).
Every change goes through ``fire_investigation.services``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.api import ModelSerializer

from .. import policies, selectors, services
from ..models import Incident, InvestigationCase, QuietPeriod


def _validation(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


class QuietPeriodSerializer(ModelSerializer):
    brigade = serializers.SlugRelatedField(
        slug_field="code",
        queryset=OrgUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="The county brigade's code (LD, LQ …); empty for the whole city.",
    )

    class Meta:
        model = QuietPeriod
        fields = [
            "id",
            "name",
            "kind",
            "starts_at",
            "ends_at",
            "brigade",
            "area",
            "radius_m",
            "source",
        ]
        read_only_fields = ["id"]


class QuietPeriodViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Exam and meeting periods (静默时段): lights only, no siren. Anyone reads the current and
    coming ones; brigade and detachment supervisors enter them from the official notice."""

    serializer_class = QuietPeriodSerializer

    def get_permissions(self) -> list[Any]:
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> Any:
        return selectors.current_and_coming_quiet_periods()

    def _save(self, serializer: Any) -> None:
        if not policies.can_manage_quiet_periods(self.request.user):
            raise PermissionDenied
        period = serializer.instance or QuietPeriod()
        for name, value in serializer.validated_data.items():
            setattr(period, name, value)
        try:
            serializer.instance = services.save_quiet_period(actor=self.request.user, period=period)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer)

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer)


class IncidentSerializer(ModelSerializer):
    brigade = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    in_quiet_period = serializers.BooleanField(read_only=True)
    quiet_period_name = serializers.CharField(
        source="quiet_period.name", read_only=True, default=""
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "brigade",
            "kind",
            "location",
            "alarm_received_at",
            "dispatched_at",
            "arrived_at",
            "extinguished_at",
            "units_dispatched",
            "vehicles",
            "deaths",
            "serious_injuries",
            "minor_injuries",
            "households_affected",
            "direct_loss_yuan",
            "in_quiet_period",
            "quiet_period_name",
            "water_notes",
        ]
        read_only_fields = ["id", "reference"]


class IncidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Call-outs of the caller's brigade (the detachment: all), newest first."""

    serializer_class = IncidentSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Incident.objects.none()
        if not policies.can_read_operations(self.request.user):
            raise PermissionDenied
        return selectors.incidents_for_user(user=self.request.user)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        brigade = data.pop("brigade")
        try:
            serializer.instance = services.record_incident(
                actor=self.request.user, brigade=brigade, **data
            )
        except DjangoValidationError as exc:
            raise _validation(exc) from exc


class InvestigationSerializer(ModelSerializer):
    brigade = serializers.SlugRelatedField(slug_field="code", read_only=True)
    incident = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    received_at = serializers.DateTimeField(source="incident.alarm_received_at", read_only=True)
    # Null while the clock is paused (the lab has the evidence: no date until it resumes).
    days_allowed = serializers.IntegerField(
        source="determination_days", read_only=True, allow_null=True
    )
    deadline = serializers.DateField(source="determination_due", read_only=True, allow_null=True)

    class Meta:
        model = InvestigationCase
        fields = [
            "id",
            "reference",
            "incident",
            "brigade",
            "level",
            "procedure",
            "enterprise_involved",
            "has_dispute",
            "criminal_liability",
            "received_at",
            "days_allowed",
            "deadline",
            "status",
            "scene_status",
        ]
        read_only_fields = fields


class InvestigationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Fire investigation cases of the caller's unit (the detachment: all)."""

    serializer_class = InvestigationSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return InvestigationCase.objects.none()
        if not policies.can_read_operations(self.request.user):
            raise PermissionDenied
        return selectors.cases_for_user(user=self.request.user)
