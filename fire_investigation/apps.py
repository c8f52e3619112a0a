from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.plugins import Measure


class FireInvestigationConfig(AppConfig):
    name = "fire_investigation"
    verbose_name = _("火灾调查与灭火救援")

    # Plug-in attributes (lishui_fire/core/plugins.py).
    reference_seeds = ("fire_investigation.migrations.0002_seed_rules.seed",)
    demo = "fire_investigation.demo.seed"
    home_links = (
        Measure(
            5,
            _("精准勘验 + 压缩时限"),
            _("缩小现场保护范围、尽早解封；无争议的企业火灾 20 日内出具认定。"),
            "fire_investigation:index",
        ),
        Measure(
            6,
            _("科学施救 + 文明亲民"),
            _("科学施救减少水渍损失；中高考等重要时段静音出警。"),
            "fire_investigation:index",
        ),
    )
