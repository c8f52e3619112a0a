from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lishui_fire.core"
    label = "core"
    verbose_name = _("平台核心")
    # Plug-in attributes (lishui_fire/core/plugins.py): the kernel plugs in like any app.
    beat_schedule = "lishui_fire.core.schedules.BEAT_SCHEDULE"
    reference_seeds = ("lishui_fire.core.migrations.0002_seed_calendar.seed",)
    overview_panel = "lishui_fire.core.overview.clocks_panel"

    def __init__(self, app_name: str, app_module: object) -> None:
        super().__init__(app_name, app_module)
        # Before any model, form or serializer field exists (they copy their class's default
        # validators when created): every text field refuses control and format characters.
        from .text_rule import install

        install()

    def ready(self) -> None:
        from . import models
        from .audit import register

        register(models.CalendarDay)
        register(models.CalendarYear)
        register(models.Clock, exclude_fields=["updated_at"])
        register(models.ClockPause)
        register(models.ClockExtension)
        from . import (
            plugins,
            schema,  # noqa: F401  (the OpenAPI extension for our session auth)
            tasks,  # noqa: F401  (registered by name: the calendar asks for a recount by name)
        )

        plugins.install_api_enum_names()
