"""The registry's panel on the supervisors' overview page (``EnterprisesConfig.overview_panel``)."""

from __future__ import annotations

from django.http import HttpRequest

from lishui_fire.core.plugins import Panel

from . import selectors


def panel(request: HttpRequest) -> Panel:
    """Every visible brigade with its enterprises by credit rating, and the way to the list."""
    return Panel(
        "enterprises/overview_panel.html",
        {"brigades": selectors.brigade_overview(user=request.user)},
    )
