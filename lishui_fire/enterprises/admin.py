"""Admin of the registry: units (ratings change on the registry page, with a reason), imports."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.admin import PersonalDataAdmin
from lishui_fire.core.validators import normalise_code

from . import models
from .forms import credit_grade_choices


class CreditRatingChangeInline(admin.TabularInline):
    """History is written by ``services.change_credit_rating`` only; here it is read-only."""

    model = models.CreditRatingChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_rating", "to_rating", "reason", "changed_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DishonestyListingInline(admin.TabularInline):
    """Entered and removed through ``services.credit`` (the registry page); read-only here."""

    model = models.DishonestyListing
    fk_name = "enterprise"
    extra = 0
    can_delete = False
    fields = (
        "list_kind",
        "listed_on",
        "publication_ends_on",
        "source_document",
        "status",
        "removed_on",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EnterpriseAdminForm(forms.ModelForm):
    class Meta:
        model = models.Enterprise
        fields = "__all__"  # noqa: DJ007 - the admin shows every field; read-only ones are set below

    credit_rating = forms.ChoiceField(
        label=_("信用等级"), choices=credit_grade_choices, initial=models.DEFAULT_CREDIT_RATING
    )

    def clean_uscc(self) -> str:
        # Typed in lower case or full width, the code must still match the registry's own form
        # (it is the unique key the CSV import and the permits rely on).
        return normalise_code(self.cleaned_data.get("uscc"))


@admin.register(models.Enterprise)
class EnterpriseAdmin(PersonalDataAdmin):
    form = EnterpriseAdminForm
    # templates/admin/enterprises/enterprise/change_list.html adds the CSV import link.
    list_display = ("name", "uscc", "brigade", "venue_type", "risk_level", "credit_rating")
    list_filter = ("brigade", "credit_rating", "risk_level", "venue_type")
    search_fields = ("name", "uscc", "address")
    list_select_related = ("brigade",)
    inlines = [CreditRatingChangeInline, DishonestyListingInline]

    def get_readonly_fields(self, request, obj=None):
        # A rating change needs a reason and a history row: it goes through the registry page.
        return ("credit_rating", "created_at", "updated_at") if obj else ()


@admin.register(models.EnterpriseImport)
class EnterpriseImportAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "uploaded_by",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "created_at",
    )
    list_filter = ("status",)
    exclude = ("errors",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in models.EnterpriseImport._meta.fields if f.name != "errors"]

    def has_add_permission(self, request):
        return False


@admin.register(models.CreditGrade)
class CreditGradeAdmin(admin.ModelAdmin):
    """The credit scale, maintained here by supervisors and administrators (DOMAIN.md §3.2).

    A grade's code is its identity (units, the API, import files and the history carry it): it
    is fixed once created, and a grade that units carry, or that new units get, is not deleted.
    """

    list_display = (
        "code",
        "label",
        "sampling_multiplier",
        "max_planned_inspections_per_year",
        "effective_from",
        "sort_order",
    )
    ordering = ("sort_order", "code")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request, obj)
        in_use = obj.code == models.DEFAULT_CREDIT_RATING or (
            models.Enterprise.objects.filter(credit_rating=obj.code).exists()
        )
        return not in_use and super().has_delete_permission(request, obj)


class CreditScoringWeightInline(admin.TabularInline):
    model = models.CreditScoringWeight
    extra = 0


class CreditGradeThresholdInline(admin.TabularInline):
    model = models.CreditGradeThreshold
    extra = 0


@admin.register(models.CreditScoringRuleSet)
class CreditScoringRuleSetAdmin(admin.ModelAdmin):
    """The scoring rules of the recalculation (weights and thresholds are data with a basis).

    A rule set that proposals were computed from is kept (they name it); a new rule is a new set
    with its own effective date, so the old proposals still show what they were computed from.
    """

    list_display = ("name", "effective_from", "provisional", "base_score", "lookback_days")
    inlines = [CreditScoringWeightInline, CreditGradeThresholdInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.proposals.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(models.CreditGradeProposal)
class CreditGradeProposalAdmin(admin.ModelAdmin):
    """Decided on the proposals page (a supervisor, with a reason); read-only here."""

    list_display = (
        "enterprise",
        "current_rating",
        "proposed_rating",
        "score",
        "status",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("enterprise",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in models.CreditGradeProposal._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
