from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lishui_fire.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.CalendarDay)
        auditlog.register(models.CalendarYear)
        auditlog.register(models.Clock, exclude_fields=["updated_at"])
        auditlog.register(models.ClockPause)
        auditlog.register(models.ClockExtension)
        from . import (
            schema,  # noqa: F401  (the OpenAPI extension for our session auth)
            tasks,  # noqa: F401  (registered by name: the calendar asks for a recount by name)
        )
