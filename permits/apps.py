from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("消防安全检查许可与预约体检")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.PermitApplication,
            models.PrecheckBooking,
            models.PrecheckSlot,
            models.NoticeAmendment,
            models.Finding,
            models.HomeServiceRequest,
            models.Delivery,
        ):
            auditlog.register(model, exclude_fields=["updated_at"])
