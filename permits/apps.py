from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.plugins import HomeTask, Measure


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("消防安全检查许可与预约体检")

    # Plug-in attributes (lishui_fire/core/plugins.py).
    home_links = (
        Measure(
            2,
            _("即办即送 + 预约体检"),
            _(
                "网上申请公众聚集场所消防安全检查，告知承诺当场办结、文书免费邮寄；开业前预约消防体检，问题一次性告知。"
            ),
            "permits:index",
        ),
    )
    home_tasks = (
        HomeTask(
            "book",
            _("预约体检"),
            _("开业前预约消防体检，无需登录即可查看各县（市、区）空闲时段。"),
            "permits:public_slots",
        ),
        HomeTask(
            "apply",
            _("我要申请"),
            _("网上申请公众聚集场所投入使用、营业前消防安全检查。"),
            "permits:apply",
        ),
    )
    progress_lookup = "permits.progress.find"
    role_homes = {"applicant": "permits:mine", "inspector": "permits:today"}  # Role values
    overview_panel = "permits.overview.panel"
    beat_schedule = "permits.schedules.BEAT_SCHEDULE"
    demo = "permits.demo.seed"
    reference_seeds = (
        "permits.migrations.0002_seed_deadline_rules.seed",
        "permits.migrations.0011_deemed_acceptance_and_service.seed",
        "permits.migrations.0015_seed_verification_rules.seed",
    )
    # The law's list of public gathering venues a permit covers, beside the registry's broad one.
    api_enum_names = {"GatheringVenueTypeEnum": "permits.models.GatheringVenueType"}

    def ready(self) -> None:
        from lishui_fire.core.audit import register

        from . import models

        for model in (
            models.PermitApplication,
            models.PrecheckBooking,
            models.PrecheckSlot,
            models.NoticeAmendment,
            models.Finding,
            models.HomeServiceRequest,
            models.Delivery,
            models.DecisionProposal,
            models.StopUseOrder,
            models.ApplicationPhoto,
        ):
            register(model, exclude_fields=["updated_at"])
