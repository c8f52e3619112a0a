"""The statutory clocks of a permit application, kept in step with its recorded events.

Every statutory date of an application is a clock (``core.clocks``), one per milestone
(acceptance, inspection, decision, verification, recheck). ``rules.clock_plan`` says which clocks
the application has in its status and from when they run; this module makes the rows say the
same, and ``core.clocks`` keeps the application's date columns (``CLOCK_COLUMNS``: the queue
orders by ``next_due``; the API promises ``decision_due``) equal to the clocks — also when a
calendar year is published and the provisional ones are recounted.

The green channel's tighter counts are the clocks' internal targets: they never replace the
statutory dates (on the pages, on the letters, in the API).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from lishui_fire.core import clocks
from lishui_fire.core.models import Clock, DeadlineRule

from .. import rules
from ..models import PermitApplication
from .common import local_date


@transaction.atomic
def refresh_due_dates(application: PermitApplication, *, actor: Any = None) -> PermitApplication:
    """Make the application's clocks match the events recorded so far (one source of truth)."""
    plan = rules.clock_plan(
        path=application.path,
        status=application.status,
        events=rules.Events(
            submitted=local_date(application.submitted_at),
            accepted=local_date(application.accepted_at),
            inspected=local_date(application.inspected_at),
            decided=local_date(application.decided_at),
            rectification_due=application.rectification_due,
            served=local_date(application.served_at),
            recheck_requested=local_date(application.recheck_requested_at),
            rechecked=local_date(application.rechecked_at),
        ),
    )
    existing = list(clocks.clocks_of(application))
    made: dict[str, Clock] = {}
    for planned in plan.clocks:
        after = made.get(planned.after) if planned.after else None
        live = next((c for c in existing if c.milestone == planned.milestone and c.is_live), None)
        met = next(
            (
                c
                for c in reversed(existing)
                if c.milestone == planned.milestone and c.outcome == Clock.Outcome.MET
            ),
            None,
        )
        how = {
            "code": planned.code,
            "started_at": clocks.local_midnight(planned.start) if planned.start else None,
            "after": after,
            "actor": actor,
            "brigade_id": application.brigade_id,
            # The handling officer is reminded before, on and after each statutory date.
            "responsible": application.handled_by,
            "with_target": application.green_channel,
            "is_next": planned.milestone == plan.next,
        }
        if live is None and met is not None and not planned.running:
            # Met before: it stays met (corrected only if its event was recorded again).
            if after is not None:
                how["started_at"] = after.started_at
            made[planned.milestone] = clocks.correct_clock(clock=met, **how)
            continue
        clock = clocks.set_clock(subject=application, milestone=planned.milestone, **how)
        if not planned.running:
            clock = clocks.stop_clock(clock=clock, actor=actor, reason=application.status)
        made[planned.milestone] = clock
    planned_names = {p.milestone for p in plan.clocks}
    for clock in existing:
        if clock.is_live and clock.milestone not in planned_names:
            # The file went back to the applicant, or the step is gone: no clock runs.
            clocks.stop_clock(clock=clock, actor=actor, reason=application.status, cancelled=True)
    clocks.mirror_subject(application)
    return application


def completeness_rule(application: PermitApplication) -> DeadlineRule:
    """The completeness period (受理或一次性告知补正) in force when the application was received."""
    received = local_date(application.submitted_at) or timezone.localdate()
    return clocks.rule_in_force(rules.ACCEPTANCE, on=received)


def completeness_period_ends(application: PermitApplication) -> dt.datetime | None:
    """The moment the completeness period (行政许可法 art. 32 ¶1 (4)) runs out for the current
    submission: counted like the acceptance clock, on the kernel calendar, from receipt."""
    received = local_date(application.submitted_at)
    if received is None:
        return None
    return clocks.count_rule(rules.ACCEPTANCE, start_day=received).due_at
