"""The measure's panel on the supervisors' overview page (``InspectionsConfig.overview_panel``):
the year's coverage, the overdue clocks and the cap's proof in figures, and the way to the
dashboard. Supervisors and administrators only; the scope is theirs (brigade or detachment)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from lishui_fire.core.plugins import Panel

from . import policies, selectors


def panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not policies.can_view_dashboard(user):
        return None
    ids = None if user.sees_all_brigades else (user.org_unit_id,)
    scope = selectors.DashboardScope(brigade_ids=ids, year=timezone.localdate().year)
    plans = selectors.plan_coverage(scope=scope)
    grades = selectors.capped_grades()
    return Panel(
        "inspections/dashboard/overview_panel.html",
        {
            "year": scope.year,
            "drawn": sum(p.drawn_n for p in plans),
            "visited": sum(p.visited_n for p in plans),
            "published": sum(p.published_n for p in plans),
            "overdue": selectors.overdue_clock_count(scope=scope, now=timezone.now()),
            "cap": selectors.capped_summary(scope=scope, grades=grades),
        },
    )
