from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.plugins import Measure


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("宣传教育")

    # Plug-in attributes (lishui_fire/core/plugins.py).
    home_links = (
        Measure(
            7,
            _("全面覆盖 + 精准画像"),
            _("预约参观消防科普教育馆和消防站；分众化宣传。"),
            "outreach:index",
        ),
    )
