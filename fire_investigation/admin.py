from django.contrib import admin

from .models import Incident, InvestigationCase, InvestigationLimits, QuietPeriod


@admin.register(InvestigationLimits)
class InvestigationLimitsAdmin(admin.ModelAdmin):
    """The thresholds as data: a new row with a later date replaces the old for fires from then."""

    list_display = ("effective_from", "simple_max_loss_yuan", "legal_basis")


@admin.register(QuietPeriod)
class QuietPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "starts_at", "ends_at", "brigade", "source")
    list_filter = ("kind", "brigade")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read-only: incidents are recorded through fire_investigation.services."""

    list_display = ("reference", "brigade", "kind", "alarm_received_at", "quiet_period")
    list_filter = ("kind", "brigade")
    search_fields = ("reference", "location")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(InvestigationCase)
class InvestigationCaseAdmin(admin.ModelAdmin):
    """Read-only: every change of a case goes through fire_investigation.services (its clock)."""

    list_display = ("reference", "brigade", "level", "procedure", "status", "determination_due")
    list_filter = ("status", "level", "procedure", "brigade")
    search_fields = ("reference",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
