from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FireInvestigationConfig(AppConfig):
    name = "fire_investigation"
    verbose_name = _("火灾调查与灭火救援")
