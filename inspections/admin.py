from django.contrib import admin

from .models import Inspection, InspectionAssignment, InspectionPlan


class AssignmentInline(admin.TabularInline):
    model = InspectionAssignment
    extra = 0
    readonly_fields = ("officer", "is_lead", "confirmed_at")
    can_delete = False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Read-only: every change of an inspection goes through inspections.services."""

    list_display = ("reference", "kind", "enterprise", "brigade", "status", "planned_date")
    list_filter = ("kind", "status", "brigade")
    search_fields = ("reference", "enterprise__name")
    inlines = [AssignmentInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "period_start", "period_end", "status")
    list_filter = ("status",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
