"""Admin of the organisation units: administrators keep each unit's contact and the
reconsideration body its letters name (issue 9). Codes and the tree are set by migrations."""

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "hotline", "reconsideration_body")
    list_filter = ("kind",)
    search_fields = ("code", "name_zh", "name_en", "division_name")
    fieldsets = (
        (None, {"fields": ("code", "kind", "name_zh", "name_en", "parent", "sort_order")}),
        (_("行政区划"), {"fields": ("division_name", "division_code")}),
        (_("联系方式"), {"fields": ("hotline", "window_address", "opening_hours")}),
        (_("文书"), {"fields": ("reconsideration_body",)}),
    )

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        # A unit's code is in every reference number it issued: never renamed after creation.
        return ("code", "kind") if obj else ()

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
