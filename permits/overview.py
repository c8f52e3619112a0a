"""The permits panel on the supervisors' overview page (``PermitsConfig.overview_panel``).

What the README promises there: the queue, what is overdue and what falls due within 3 working
days, the pre-check slots of the coming week, the proposed decisions waiting for approval (an
inspector's: their own), the amendments waiting for approval and, for the supervisors, the
month's key figures against the month before with the way to the dashboard.
A fixed number of queries (pinned in permits/tests/test_dashboard.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from lishui_fire.core.plugins import Panel

from . import selectors
from . import selectors_dashboard as dash


def panel(request: HttpRequest) -> Panel | None:
    """Work entry points with what waits in the caller's scope."""
    user = request.user
    # The discipline officer sees no applicant record (policies): no permits panel at all.
    if not getattr(user, "is_portal_staff", False) or getattr(user, "is_discipline_officer", False):
        return None
    today = timezone.localdate()
    until = dash.due_soon_until(today)
    supervising = bool(getattr(user, "is_supervisor", False) or user.is_administrator)
    context = {
        "queue_count": selectors.staff_queue(user=user).count(),
        "overdue_count": selectors.overdue_applications(user=user, today=today).count(),
        "due_soon_count": dash.due_soon(user=user, today=today, until=until).count(),
        "due_until": until,
        "supervising": supervising,
        "proposals_count": dash.proposals_waiting(user=user),
    }
    if not getattr(user, "is_legal_officer", False):
        context["slots"] = dash.free_places(user=user)
    if supervising:
        context["amendments_count"] = dash.amendments_waiting(user=user)
        figures = dash.period_figures(user=user, period=dash.period_ending(today, 30))
        context["received"] = figures["now"]["received"]
        context["received_before"] = figures["before"]["received"]
        decided = figures["now"]["decided"]
        context["on_time_rate"] = (
            f"{round(100 * figures['now']['on_time'] / decided)}%" if decided else "—"
        )
    return Panel("permits/overview_panel.html", context)
