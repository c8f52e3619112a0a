"""The kernel's panel on the supervisors' overview page: statutory clocks about to run out.

Every app's time limits are kernel clocks (``core.clocks``), so one panel serves them all: what is
overdue, what runs out within two days, and which internal targets (green channel) were missed —
the last kept apart, since missing a target is not missing the law.
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest

from lishui_fire.accounts.models import CASE_READER_ROLES

from .clocks import clocks_due_for_user
from .plugins import Panel

# A supervisor acts on the first rows; the counts say how many there are in all.
ROWS_SHOWN = 20


def clocks_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if getattr(user, "role", None) not in CASE_READER_ROLES:
        return None  # applicants, and the discipline officer (no business with case deadlines)
    board = clocks_due_for_user(user=user)
    shown = {
        "overdue": board.overdue[:ROWS_SHOWN],
        "due_soon": board.due_soon[:ROWS_SHOWN],
        "target_missed": board.target_missed[:ROWS_SHOWN],
    }
    # One query per kind of subject (permit applications, later fire cases …), not one per row.
    prefetch_related_objects([c for rows in shown.values() for c in rows], "subject")
    return Panel(
        "core/overview_clocks.html",
        {
            "board": board,
            "shown": shown,
            "counts": {
                "overdue": len(board.overdue),
                "due_soon": len(board.due_soon),
                "target_missed": len(board.target_missed),
            },
        },
    )
