from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.plugins import Measure


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("双随机检查与执法")

    # Plug-in attributes (lishui_fire/core/plugins.py).
    home_links = (
        Measure(
            3,
            _("双随机查 + 守信激励"),
            _("公开抽查计划与结果；A 级守信单位一年内至多检查一次。"),
            "inspections:plans",
        ),
        Measure(
            4,
            _("教育引导 + 严格裁量"),
            _("首次轻微违法及时改正且未造成危害的，依法不予处罚；严格执行裁量基准。"),
            "inspections:index",
        ),
    )

    overview_panel = "inspections.overview.panel"
    demo = "inspections.demo.seed"
    # Data migrations whose rows transactional tests need again (time limits, vocabularies).
    reference_seeds = (
        "inspections.migrations.0003_seed_intake_rules.seed",
        "inspections.migrations.0006_visits_seed.seed",
        "inspections.migrations.0007_seed_recusal_rule.seed",
    )
    # A permit granted on the commitment path is verified on site: a pre-opening inspection.
    event_handlers = {
        "commitment_permit_granted": "inspections.services.intake.open_pre_opening_verification",
        "commitment_permit_verified": "inspections.services.intake.record_pre_opening_verification",
    }

    # Choice sets sharing a field name with another app's ("kind").
    api_enum_names = {
        "InspectionKindEnum": "inspections.models.InspectionKind",
        "InspectionStatusEnum": "inspections.models.InspectionStatus",
        "InspectionResultEnum": "inspections.models.InspectionResult",
        "InspectionDocumentKindEnum": "inspections.models.InspectionDocumentKind",
        "InspectionPlanStatusEnum": "inspections.models.PlanStatus",
        "VenueClassEnum": "inspections.models.VenueClass",
    }

    def ready(self) -> None:
        from lishui_fire.core.audit import register

        # Every table of the app is audited (personal numbers are masked by core.audit; a model
        # names other personal fields to mask in ``AUDIT_MASK``, e.g. a complainant's name).
        for model in self.get_models():
            # A model names the fields the log must not copy (a secret, a bulky snapshot).
            excluded = ["updated_at", *getattr(model, "AUDIT_EXCLUDE", ())]
            register(
                model,
                exclude_fields=excluded,
                mask_fields=list(getattr(model, "AUDIT_MASK", ())),
            )
