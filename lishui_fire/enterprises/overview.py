"""The registry's panel on the supervisors' overview page (``EnterprisesConfig.overview_panel``)."""

from __future__ import annotations

from django.http import HttpRequest

from lishui_fire.core.plugins import Panel

from . import selectors


def panel(request: HttpRequest) -> Panel:
    """Every visible brigade with its enterprises per grade of the scale (the grade table's
    rows, whatever they are), and the way to the list."""
    grades = list(selectors.credit_grades_by_code().values())
    brigades = selectors.brigade_overview(user=request.user, grades=grades)
    rows = [
        {"brigade": b, "counts": [getattr(b, f"grade_{i}") for i in range(len(grades))]}
        for b in brigades
    ]
    return Panel("enterprises/overview_panel.html", {"grades": grades, "rows": rows})
