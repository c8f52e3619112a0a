from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "lishui_fire.enterprises"
    label = "enterprises"
    verbose_name = _("社会单位登记")

    # Plug-in attributes (lishui_fire/core/plugins.py).
    overview_panel = "lishui_fire.enterprises.overview.panel"
    demo = "lishui_fire.enterprises.demo.seed"
    reference_seeds = (
        "lishui_fire.enterprises.migrations.0002_credit_grades_as_data.seed",
        "lishui_fire.enterprises.migrations.0007_provisional_scoring_rules.seed",
    )
    # The registry's broad venue types, beside the law's list of gathering venues (permits).
    api_enum_names = {"EnterpriseVenueTypeEnum": "lishui_fire.enterprises.models.VenueType"}

    def ready(self) -> None:
        from lishui_fire.core.audit import register

        from . import models

        register(models.Enterprise, exclude_fields=["updated_at"])
        register(models.CreditGrade)
        register(models.DishonestyListing)
        register(models.CreditEvent)
        register(models.CreditRatingChange)
        register(models.CreditScoringRuleSet)
        register(models.CreditScoringWeight)
        register(models.CreditGradeThreshold)
        register(models.CreditGradeProposal)
