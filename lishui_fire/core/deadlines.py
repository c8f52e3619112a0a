"""Statutory time limits as data: pick the rule in force, count it on the working-day calendar.

Apps name a rule by code (``permit.inspection``); the rows live in ``DeadlineRule`` with their
legal basis and effective date, seeded by each app's data migration and editable in the admin.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ImproperlyConfigured

from .calendar import Deadline, add_working_days, day_is_provisional, next_workday
from .models import DeadlineRule, TimeLimitUnit


def rule_in_force(code: str, *, on: dt.date) -> DeadlineRule:
    """The rule with this code that applies to a clock starting on ``on``."""
    rule = (
        DeadlineRule.objects.filter(code=code, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        raise ImproperlyConfigured(f"no deadline rule {code!r} in force on {on}")
    return rule


def due_date(code: str, *, start: dt.date, green_channel: bool = False) -> Deadline:
    """The last day of the period ``code`` that starts on ``start``.

    Working days: the start day is not counted (Administrative Licensing Law art. 82, Civil Code
    art. 201). Calendar days: the same, and a period ending on a rest day ends on the next
    working day instead (Civil Code art. 203).
    """
    rule = rule_in_force(code, on=start)
    count = rule.count
    if green_channel and rule.target_count is not None:
        count = min(count, rule.target_count)
    if rule.unit == TimeLimitUnit.WORKING_DAY:
        if count == 0:
            end = next_workday(start)
            return Deadline(end, day_is_provisional(end))
        return add_working_days(start, count)
    if rule.unit == TimeLimitUnit.CALENDAR_DAY:
        end = next_workday(start + dt.timedelta(days=count))
        provisional = any(
            day_is_provisional(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)
        )
        return Deadline(end, provisional)
    raise ImproperlyConfigured(f"rule {code!r} is counted in {rule.unit}, not in days")
