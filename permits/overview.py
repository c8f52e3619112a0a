"""The permits panel on the supervisors' overview page (``PermitsConfig.overview_panel``)."""

from __future__ import annotations

from django.http import HttpRequest

from lishui_fire.core.plugins import Panel

from . import selectors


def panel(request: HttpRequest) -> Panel | None:
    """Work entry points with what waits in the caller's scope: the queue and what is overdue."""
    user = request.user
    # The discipline officer sees no applicant record (policies): no permits panel at all.
    if not getattr(user, "is_portal_staff", False) or getattr(user, "is_discipline_officer", False):
        return None
    return Panel(
        "permits/overview_panel.html",
        {
            "queue_count": selectors.staff_queue(user=user).count(),
            "overdue_count": selectors.overdue_applications(user=user).count(),
        },
    )
