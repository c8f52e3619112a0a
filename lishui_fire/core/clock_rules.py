"""Counting a statutory clock: a pure function of (rule, start, pauses, extensions, calendar).

No database and no Django here (mypy and mutation tests target this module alone). The
calendar is passed in: anything with ``is_workday(day)`` and ``is_provisional(day)``, in
production ``core.calendar._Lookup``, in tests a dictionary.

How a period is counted (DOMAIN.md §0):

* ``working_day``: only working days count (Administrative Licensing Law art. 82, Administrative
  Penalty Law art. 85); the period ends on the day the last one is counted. A count of 0 ("on the
  spot") ends on the start day when it is a working day, else on the next working day.
* ``calendar_day``: every day counts; with ``roll_forward_if_rest_day`` a period ending on a rest
  day ends on the next working day instead (Civil Code art. 203).
* ``hour``: elapsed time, through nights and holidays (a 24-hour response clock started at
  16:00 on the eve of National Day ends at 16:00 on National Day).

For day units the start day is not counted unless ``start_inclusive`` (Civil Code art. 201), and
the clock runs out at the midnight that ends its last day (``due_at``).

Pauses (``pauses_stop_clock``, e.g. lab testing time in a fire investigation): for day units the
days after the pause began up to and including the day it ended are not counted, so a pause of
N days moves a calendar-day period by N days and a working-day period by the working days inside
it; for hours the paused time is added. While a pause is open the due moment is unknown (None).
Extensions add their size (in the rule's unit) to the period.

Provisional: the result is marked provisional when it depends on the status of a day that lies
in a year without official calendar data (every day examined for a working-day count or for a
roll-forward). An hour count, or a calendar-day count without roll-forward, never depends on the
calendar.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

WORKING_DAY = "working_day"
CALENDAR_DAY = "calendar_day"
HOUR = "hour"
UNITS = (WORKING_DAY, CALENDAR_DAY, HOUR)

_ONE_DAY = dt.timedelta(days=1)
# A calendar without a single working day in this many days is broken data, not a long period.
MAX_SCAN_DAYS = 20 * 366


class Calendar(Protocol):
    def is_workday(self, day: dt.date) -> bool: ...

    def is_provisional(self, day: dt.date) -> bool: ...


@dataclass(frozen=True)
class RuleSpec:
    """The counting fields of a ``DeadlineRule`` row, detached from the database."""

    unit: str
    count: int
    start_inclusive: bool = False
    roll_forward_if_rest_day: bool = True
    pauses_stop_clock: bool = True
    max_extensions: int = 0
    extension_count: int = 0

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.count < 0 or self.extension_count < 0 or self.max_extensions < 0:
            raise ValueError("counts must be >= 0")


@dataclass(frozen=True)
class Pause:
    """From ``start`` to ``end`` (aware datetimes); ``end`` is None while the pause is open."""

    start: dt.datetime
    end: dt.datetime | None = None


@dataclass(frozen=True)
class Due:
    due_at: dt.datetime | None  # the instant the period runs out; None while paused
    due_date: dt.date | None  # the last day to act (local)
    provisional: bool

    @property
    def known(self) -> bool:
        return self.due_at is not None


def count_due(
    spec: RuleSpec,
    *,
    start: dt.datetime,
    calendar: Calendar,
    tz: dt.tzinfo,
    pauses: Sequence[Pause] = (),
    extensions: Iterable[int] = (),
    count: int | None = None,
) -> Due:
    """When a clock of ``spec`` started at ``start`` runs out.

    ``extensions`` are the sizes of the extensions granted (in the rule's unit); ``count``
    replaces the rule's count (an internal target counted the same way).
    """
    _aware(start)
    for pause in pauses:
        _aware(pause.start)
        if pause.end is not None:
            _aware(pause.end)
            if pause.end < pause.start:
                raise ValueError("a pause cannot end before it starts")
    budget = (spec.count if count is None else count) + sum(extensions)
    if budget < 0:
        raise ValueError("count must be >= 0")
    active = list(pauses) if spec.pauses_stop_clock else []
    if spec.unit == HOUR:
        return _count_hours(start, budget, active, tz)
    return _count_days(spec, start.astimezone(tz).date(), budget, active, calendar, tz)


def _aware(moment: dt.datetime) -> None:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise ValueError("clock moments must be aware datetimes")


def _count_hours(start: dt.datetime, hours: int, pauses: list[Pause], tz: dt.tzinfo) -> Due:
    remaining = dt.timedelta(hours=hours)
    now = start
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.start >= now + remaining:
            break  # paused after the clock had run out: no effect
        if pause.end is None:
            return Due(None, None, False)
        # (``<`` would do the same: a pause ending at ``now`` takes nothing off and moves nothing.)
        if pause.end <= now:  # pragma: no mutate
            continue  # wholly before the clock (or inside an earlier pause)
        remaining -= max(pause.start - now, dt.timedelta(0))
        now = pause.end
    due_at = now + remaining
    return Due(due_at, _last_day(due_at, tz), False)


def _paused_days(
    pauses: list[Pause], tz: dt.tzinfo
) -> tuple[list[tuple[dt.date, dt.date]], dt.date | None]:
    """Closed pauses as (first excluded day, last excluded day); and the day an open one began."""
    spans: list[tuple[dt.date, dt.date]] = []
    open_from: dt.date | None = None
    for pause in pauses:
        begun = pause.start.astimezone(tz).date()
        if pause.end is None:
            open_from = begun if open_from is None else min(open_from, begun)
            continue
        ended = pause.end.astimezone(tz).date()
        if ended > begun:
            spans.append((begun + _ONE_DAY, ended))
    return spans, open_from


def _count_days(
    spec: RuleSpec,
    start: dt.date,
    budget: int,
    pauses: list[Pause],
    calendar: Calendar,
    tz: dt.tzinfo,
) -> Due:
    spans, open_from = _paused_days(pauses, tz)
    working = spec.unit == WORKING_DAY

    def paused(day: dt.date) -> bool:
        return any(first <= day <= last for first, last in spans)

    provisional = False
    if budget == 0:
        end = start
    else:
        day = start if spec.start_inclusive else start + _ONE_DAY
        counted = 0
        for _ in range(MAX_SCAN_DAYS + budget):
            if open_from is not None and day > open_from:
                return Due(None, None, False)
            if not paused(day):
                if working:
                    provisional = provisional or calendar.is_provisional(day)
                    counted += calendar.is_workday(day)
                else:
                    counted += 1
                if counted == budget:
                    break
            day += _ONE_DAY
        else:
            raise ValueError("no working day found: the calendar data is broken")
        end = day
    if (working and budget == 0) or (not working and spec.roll_forward_if_rest_day):
        end, rolled_provisional = _roll_forward(end, calendar)
        provisional = provisional or rolled_provisional
    due_at = dt.datetime.combine(end + _ONE_DAY, dt.time(0), tzinfo=tz)
    return Due(due_at, end, provisional)


def _roll_forward(day: dt.date, calendar: Calendar) -> tuple[dt.date, bool]:
    provisional = calendar.is_provisional(day)
    for _ in range(MAX_SCAN_DAYS):
        if calendar.is_workday(day):
            return day, provisional
        day += _ONE_DAY
        provisional = provisional or calendar.is_provisional(day)
    raise ValueError("no working day found: the calendar data is broken")


def _last_day(due_at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    # A clock running out at midnight leaves the day before as its last day.
    return (due_at.astimezone(tz) - dt.timedelta(microseconds=1)).date()


# --- Extensions ---------------------------------------------------------------------------------------
class Refusal(enum.StrEnum):
    """Why an extension is refused (the service turns the code into a translated message)."""

    NOT_EXTENDABLE = "not_extendable"
    LIMIT_REACHED = "limit_reached"
    RUN_OUT = "run_out"
    STOPPED = "stopped"


def extension_refusal(
    spec: RuleSpec,
    *,
    granted: int,
    due_at: dt.datetime | None,
    at: dt.datetime,
    stopped: bool = False,
) -> Refusal | None:
    """None when one more extension may be granted at ``at``, else the reason it may not.

    An extension prolongs a running period: once the clock has run out there is nothing left to
    prolong (the deadline was missed), and the rule says how many extensions it allows at most.
    """
    _aware(at)
    if stopped:
        return Refusal.STOPPED
    if spec.max_extensions == 0 or spec.extension_count == 0:
        return Refusal.NOT_EXTENDABLE
    if granted >= spec.max_extensions:
        return Refusal.LIMIT_REACHED
    if due_at is not None and at >= due_at:
        return Refusal.RUN_OUT
    return None


# --- Reminders -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReminderTimes:
    warning: dt.datetime | None
    due: dt.datetime
    overdue: dt.datetime


def reminder_times(
    spec: RuleSpec,
    due: Due,
    *,
    tz: dt.tzinfo,
    warn_before: int = 2,
    hour: int = 9,
) -> ReminderTimes | None:
    """When to warn, remind on the due day, and report overdue; None while the clock is paused.

    Day units: ``warn_before`` calendar days before the due day, the due day, and the day after,
    each at ``hour`` o'clock local time (nobody reads an SMS sent at midnight). Hours:
    ``warn_before`` hours before the end, at the end, and at the end.
    """
    if due.due_at is None or due.due_date is None:
        return None
    if spec.unit == HOUR:
        return ReminderTimes(
            warning=due.due_at - dt.timedelta(hours=warn_before) if warn_before else None,
            due=due.due_at,
            overdue=due.due_at,
        )

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)

    return ReminderTimes(
        warning=at(due.due_date - dt.timedelta(days=warn_before)) if warn_before else None,
        due=at(due.due_date),
        overdue=at(due.due_date + _ONE_DAY),
    )
