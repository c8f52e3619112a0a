"""core.clock_rules at the edges its own tests (core/tests/test_clock_rules.py) left open: hour
clocks with a pause before the start, a pause that begins as the clock runs out, the last day of
a clock ending just after midnight (in Asia/Shanghai, whatever the server's zone), and which
rules allow an extension at all.

Each test was written against mutants of `make mutation` that survived. No database.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lishui_fire.core.clock_rules import (
    HOUR,
    Pause,
    Refusal,
    RuleSpec,
    count_due,
    extension_refusal,
)

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


class Weekdays:
    def is_workday(self, day: dt.date) -> bool:
        return day.weekday() < 5

    def is_provisional(self, day: dt.date) -> bool:
        return False


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def hours(n: int, start: dt.datetime, pauses=()):
    return count_due(
        RuleSpec(unit=HOUR, count=n), start=start, calendar=Weekdays(), tz=TZ, pauses=pauses
    )


def test_it_still_counts_a_pause_that_follows_one_wholly_before_the_start():
    start = at(2026, 3, 2, 10, 0)
    before = Pause(at(2026, 3, 2, 8, 0), at(2026, 3, 2, 9, 0))
    inside = Pause(at(2026, 3, 2, 12, 0), at(2026, 3, 2, 14, 0))
    assert hours(24, start, [before, inside]).due_at == at(2026, 3, 3, 12, 0)
    assert hours(24, start, [inside, before]).due_at == at(2026, 3, 3, 12, 0)


def test_it_ignores_a_pause_that_begins_the_moment_the_clock_runs_out():
    start = at(2026, 3, 2, 10, 0)
    late = Pause(at(2026, 3, 3, 10, 0))  # still open
    due = hours(24, start, [late])
    assert due.known
    assert due.due_at == at(2026, 3, 3, 10, 0)
    one_second_earlier = Pause(at(2026, 3, 3, 9, 59, 59))
    assert not hours(24, start, [one_second_earlier]).known


def test_it_gives_the_last_day_in_local_time_for_an_early_morning_end():
    """03:00 in Lishui is 19:00 UTC the day before: the last day is the local one."""
    due = hours(24, at(2026, 3, 2, 3, 0))
    assert due.due_at == at(2026, 3, 3, 3, 0)
    assert due.due_date == D(2026, 3, 3)
    utc_start = dt.datetime(2026, 3, 1, 19, 0, tzinfo=dt.UTC)  # the same moment, said in UTC
    assert hours(24, utc_start).due_date == D(2026, 3, 3)


def test_a_clock_ending_a_microsecond_after_midnight_has_that_day_as_its_last():
    due = hours(24, at(2026, 3, 2, 0, 0, 0, 1))
    assert due.due_date == D(2026, 3, 3)
    assert hours(24, at(2026, 3, 2, 0, 0)).due_date == D(2026, 3, 2)


def test_an_extension_needs_both_a_number_of_extensions_and_a_size():
    now = at(2026, 3, 2, 9, 0)
    later = at(2026, 4, 1, 0, 0)

    def refusal(max_extensions: int, extension_count: int):
        spec = RuleSpec(
            unit="calendar_day",
            count=30,
            max_extensions=max_extensions,
            extension_count=extension_count,
        )
        return extension_refusal(spec, granted=0, due_at=later, at=now)

    assert refusal(1, 0) is Refusal.NOT_EXTENDABLE
    assert refusal(0, 30) is Refusal.NOT_EXTENDABLE
    assert refusal(1, 1) is None  # one more day, once
    assert refusal(2, 30) is None


def test_a_roll_forward_on_a_calendar_without_working_days_says_the_data_is_broken():
    class NoWorkdays(Weekdays):
        def is_workday(self, day: dt.date) -> bool:
            return False

    spec = RuleSpec(unit="calendar_day", count=3, roll_forward_if_rest_day=True)
    with pytest.raises(ValueError, match=r"^no working day found: the calendar data is broken$"):
        count_due(spec, start=at(2026, 3, 2, 9, 0), calendar=NoWorkdays(), tz=TZ)
