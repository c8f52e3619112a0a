from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lishui_fire.accounts"
    label = "accounts"
    verbose_name = _("账户与组织")
    # Plug-in attributes (lishui_fire/core/plugins.py).
    reference_seeds = ("lishui_fire.accounts.migrations.0002_seed_org_units.seed",)
    demo = "lishui_fire.accounts.demo.seed"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (login audit logging, token copies)
