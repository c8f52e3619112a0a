from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "lishui_fire.enterprises"
    label = "enterprises"
    verbose_name = _("社会单位登记")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Enterprise, exclude_fields=["updated_at"])
        auditlog.register(models.CreditGrade)
        auditlog.register(models.DishonestyListing)
