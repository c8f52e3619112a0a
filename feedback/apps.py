from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.plugins import Measure


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("咨询与回访")

    # Plug-in attributes (lishui_fire/core/plugins.py).
    home_links = (
        Measure(
            1,
            _("全时咨询 + 特殊通道"),
            _("24 小时在线和电话咨询；残障人士上门服务；重点项目绿色通道。"),
            "feedback:index",
        ),
        Measure(
            8,
            _("常态回访 + 重点核查"),
            _("办结必回访，满意度可评价；问题线索一查到底。"),
            "feedback:index",
        ),
    )
