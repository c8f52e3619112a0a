"""Counting a statutory clock (core.clock_rules): pure, no database, exhaustive.

The calendar here is a dictionary: Monday–Friday with the 2026 National Day exceptions (Oct 1–7
off, Sunday Sep 20 and Saturday Oct 10 worked), and every year from 2027 without data.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from lishui_fire.core.clock_rules import (
    CALENDAR_DAY,
    HOUR,
    WORKING_DAY,
    Due,
    Pause,
    Refusal,
    RuleSpec,
    count_due,
    extension_refusal,
    reminder_times,
)

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


class FakeCalendar:
    def __init__(self, exceptions=None, provisional_from: int = 2027) -> None:
        self.exceptions = dict(exceptions or {})
        self.provisional_from = provisional_from
        self.asked: list[dt.date] = []

    def is_workday(self, day: dt.date) -> bool:
        self.asked.append(day)
        return self.exceptions.get(day, day.weekday() < 5)

    def is_provisional(self, day: dt.date) -> bool:
        return day.year >= self.provisional_from


NATIONAL_DAY_2026 = {D(2026, 10, d): False for d in range(1, 8)} | {
    D(2026, 9, 20): True,
    D(2026, 10, 10): True,
}
CAL = FakeCalendar(NATIONAL_DAY_2026)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=TZ)


def due(spec, start, **kw):
    return count_due(spec, start=start, calendar=kw.pop("calendar", CAL), tz=TZ, **kw)


def working(n, **kw):
    return RuleSpec(unit=WORKING_DAY, count=n, **kw)


def days(n, **kw):
    return RuleSpec(unit=CALENDAR_DAY, count=n, **kw)


def hours(n, **kw):
    return RuleSpec(unit=HOUR, count=n, **kw)


def workdays_in(first: dt.date, last: dt.date, calendar=CAL) -> int:
    """Working days d with first <= d <= last."""
    return sum(
        calendar.is_workday(first + dt.timedelta(days=i)) for i in range((last - first).days + 1)
    )


# --- Working days ----------------------------------------------------------------------------------
def test_ten_working_days_across_national_day():
    result = due(working(10), at(2026, 9, 29, 10, 0))
    # Sep 30; (Oct 1–7); Oct 8, 9, 10 (make-up Saturday), 12–16, 19.
    assert result == Due(midnight(D(2026, 10, 20)), D(2026, 10, 19), False)


def test_one_working_day_from_friday_is_the_make_up_saturday():
    assert due(working(1), at(2026, 10, 9, 15, 0)).due_date == D(2026, 10, 10)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 11, 2), D(2026, 11, 2)),  # a Monday: on the spot
        (D(2026, 11, 7), D(2026, 11, 9)),  # a Saturday: the next Monday
        (D(2026, 10, 1), D(2026, 10, 8)),  # National Day: the first working day after
        (D(2026, 9, 20), D(2026, 9, 20)),  # a make-up Sunday is a working day
    ],
)
@pytest.mark.parametrize("inclusive", [False, True])
def test_a_zero_count_working_day_rule_ends_on_the_first_working_day(start, expected, inclusive):
    result = due(working(0, start_inclusive=inclusive), midnight(start) + dt.timedelta(hours=9))
    assert result.due_date == expected
    assert result.due_at == midnight(expected + dt.timedelta(days=1))


def test_the_start_day_counts_only_when_the_rule_says_so():
    monday = at(2026, 11, 2, 9, 0)
    assert due(working(3), monday).due_date == D(2026, 11, 5)
    assert due(working(3, start_inclusive=True), monday).due_date == D(2026, 11, 4)
    # An inclusive start on a rest day counts nothing for it.
    saturday = at(2026, 11, 7, 9, 0)
    assert due(working(1, start_inclusive=True), saturday).due_date == D(2026, 11, 9)


def test_working_days_into_a_year_without_data_are_provisional():
    # Dec 11, 14–18, 21–25, 28–31, and (the fake calendar has no 2027 holidays) Jan 1, 4–7.
    assert due(working(20), at(2026, 12, 10, 9, 0)) == Due(
        midnight(D(2027, 1, 8)), D(2027, 1, 7), True
    )
    assert not due(working(10), at(2026, 11, 2, 9, 0)).provisional


# --- Calendar days -------------------------------------------------------------------------------------
def test_thirty_calendar_days_from_the_alarm():
    # Alarm on 2026-03-02 (Monday): the day of the alarm is not counted, Apr 1 is a Wednesday.
    result = due(days(30), at(2026, 3, 2, 23, 50))
    assert result == Due(midnight(D(2026, 4, 2)), D(2026, 4, 1), False)
    assert due(days(30, start_inclusive=True), at(2026, 3, 2, 23, 50)).due_date == D(2026, 3, 31)


def test_a_calendar_day_period_ending_on_a_rest_day_rolls_forward():
    # 2026-09-01 + 30 = Oct 1 (National Day): ends on Oct 8 (Civil Code art. 203).
    assert due(days(30), at(2026, 9, 1, 9, 0)).due_date == D(2026, 10, 8)
    assert due(days(30, roll_forward_if_rest_day=False), at(2026, 9, 1, 9, 0)).due_date == D(
        2026, 10, 1
    )
    # Ending on a Saturday: the Monday.
    assert due(days(5), at(2026, 11, 2, 9, 0)).due_date == D(2026, 11, 9)
    # Ending on the make-up Saturday: that is a working day, no roll.
    assert due(days(5), at(2026, 10, 5, 9, 0)).due_date == D(2026, 10, 10)


def test_calendar_days_are_provisional_only_when_the_roll_forward_looks_at_an_unknown_year():
    assert due(days(30), at(2026, 12, 10, 9, 0)).provisional
    assert not due(days(30, roll_forward_if_rest_day=False), at(2026, 12, 10, 9, 0)).provisional
    assert not due(days(10), at(2026, 12, 1, 9, 0)).provisional


def test_the_local_date_decides_the_start_day():
    # 23:30 in Shanghai is 15:30 UTC the same day; 00:30 in Shanghai is the previous UTC day.
    late = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 2026-03-02 00:30 local
    assert due(days(30), late).due_date == D(2026, 4, 1)


# --- Hours ---------------------------------------------------------------------------------------------
def test_a_24_hour_clock_on_the_eve_of_national_day_ends_at_16_00_the_next_day():
    result = due(hours(24), at(2026, 9, 30, 16, 0))
    assert result == Due(at(2026, 10, 1, 16, 0), D(2026, 10, 1), False)


def test_an_hour_clock_never_asks_the_calendar():
    calendar = FakeCalendar(provisional_from=2000)
    result = due(hours(72), at(2026, 12, 30, 8, 0), calendar=calendar)
    assert result.due_at == at(2027, 1, 2, 8, 0)
    assert not result.provisional
    assert calendar.asked == []


def test_an_hour_clock_ending_at_midnight_has_the_day_before_as_its_last_day():
    assert due(hours(8), at(2026, 9, 30, 16, 0)).due_date == D(2026, 9, 30)


# --- Pauses --------------------------------------------------------------------------------------------
starts = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31), timezones=st.just(TZ)
)


@given(
    start=starts,
    count=st.integers(min_value=1, max_value=90),
    offset=st.integers(min_value=0, max_value=120),
    length=st.integers(min_value=0, max_value=60),
    inclusive=st.booleans(),
)
@example(start=at(2026, 3, 2, 9, 0), count=30, offset=9, length=5, inclusive=False)
def test_a_pause_of_n_days_moves_a_calendar_day_period_by_n(
    start, count, offset, length, inclusive
):
    spec = days(count, roll_forward_if_rest_day=False, start_inclusive=inclusive)
    plain = due(spec, start)
    begun = start + dt.timedelta(days=offset)
    assume(begun.date() < plain.due_date)  # paused before it ran out
    paused = due(spec, start, pauses=[Pause(begun, begun + dt.timedelta(days=length))])
    assert paused.due_date == plain.due_date + dt.timedelta(days=length)
    assert paused.due_at == plain.due_at + dt.timedelta(days=length)


@given(
    start=starts,
    count=st.integers(min_value=1, max_value=30),
    offset=st.integers(min_value=0, max_value=40),
    length=st.integers(min_value=0, max_value=40),
)
def test_a_pause_moves_a_working_day_period_by_the_working_days_inside_it(
    start, count, offset, length
):
    spec = working(count)
    plain = due(spec, start)
    begun = start + dt.timedelta(days=offset)
    ended = begun + dt.timedelta(days=length)
    assume(ended.date() < plain.due_date)
    paused = due(spec, start, pauses=[Pause(begun, ended)])
    inside = workdays_in(begun.date() + dt.timedelta(days=1), ended.date())
    expected = due(working(inside), midnight(plain.due_date)).due_date if inside else plain.due_date
    assert paused.due_date == expected
    assert CAL.is_workday(paused.due_date)


@given(
    start=starts,
    count=st.integers(min_value=1, max_value=30),
    offset=st.integers(min_value=0, max_value=60),
    length=st.integers(min_value=0, max_value=60),
)
def test_working_days_counted_outside_pauses_always_equal_the_count(start, count, offset, length):
    begun = start + dt.timedelta(days=offset)
    ended = begun + dt.timedelta(days=length)
    result = due(working(count), start, pauses=[Pause(begun, ended)])
    day, counted = start.date(), 0
    while day < result.due_date:
        day += dt.timedelta(days=1)
        in_pause = begun.date() < day <= ended.date()
        counted += CAL.is_workday(day) and not in_pause
    assert counted == count


@given(
    start=starts,
    count=st.integers(min_value=1, max_value=96),
    offset_minutes=st.integers(min_value=0, max_value=96 * 60),
    length_minutes=st.integers(min_value=0, max_value=72 * 60),
)
def test_a_pause_moves_an_hour_clock_by_its_length(start, count, offset_minutes, length_minutes):
    plain = due(hours(count), start)
    begun = start + dt.timedelta(minutes=offset_minutes)
    ended = begun + dt.timedelta(minutes=length_minutes)
    paused = due(hours(count), start, pauses=[Pause(begun, ended)])
    if begun < plain.due_at:
        assert paused.due_at == plain.due_at + (ended - begun)
    else:
        assert paused == plain  # paused after it ran out: too late to stop it


def test_overlapping_pauses_count_once():
    start = at(2026, 3, 2, 9, 0)
    one = [Pause(at(2026, 3, 5, 9, 0), at(2026, 3, 10, 9, 0))]
    two = [*one, Pause(at(2026, 3, 7, 9, 0), at(2026, 3, 9, 9, 0))]
    spec = days(30, roll_forward_if_rest_day=False)
    assert due(spec, start, pauses=one) == due(spec, start, pauses=two)
    assert due(hours(240), start, pauses=one) == due(hours(240), start, pauses=two)


def test_a_same_day_pause_does_not_move_a_day_period():
    spec = days(30)
    start = at(2026, 3, 2, 9, 0)
    assert due(spec, start, pauses=[Pause(at(2026, 3, 5, 9), at(2026, 3, 5, 17))]) == due(
        spec, start
    )


def test_an_open_pause_leaves_the_due_moment_unknown_until_it_ends():
    start = at(2026, 3, 2, 9, 0)
    open_pause = [Pause(at(2026, 3, 10, 9, 0))]
    assert due(days(30), start, pauses=open_pause) == Due(None, None, False)
    assert due(working(10), start, pauses=open_pause) == Due(None, None, False)
    assert due(hours(240), start, pauses=open_pause) == Due(None, None, False)
    # Opened after the clock ran out: the result stands.
    late = [Pause(at(2026, 5, 1, 9, 0))]
    assert due(days(30), start, pauses=late) == due(days(30), start)
    assert due(hours(24), start, pauses=late) == due(hours(24), start)


def test_a_rule_whose_pauses_do_not_stop_it_ignores_them():
    spec = days(30, pauses_stop_clock=False)
    start = at(2026, 3, 2, 9, 0)
    pauses = [Pause(at(2026, 3, 5, 9, 0), at(2026, 3, 15, 9, 0)), Pause(at(2026, 3, 20, 9))]
    assert due(spec, start, pauses=pauses) == due(spec, start)


def test_bad_moments_are_refused():
    with pytest.raises(ValueError):
        due(days(30), dt.datetime(2026, 3, 2, 9, 0))  # naive
    with pytest.raises(ValueError):
        due(days(30), at(2026, 3, 2), pauses=[Pause(at(2026, 3, 5), at(2026, 3, 4))])
    with pytest.raises(ValueError):
        RuleSpec(unit="fortnight", count=1)
    with pytest.raises(ValueError):
        RuleSpec(unit=WORKING_DAY, count=-1)


def test_a_calendar_without_working_days_is_an_error_not_a_hang():
    never = FakeCalendar()
    never.is_workday = lambda day: False  # type: ignore[method-assign]
    with pytest.raises(ValueError):
        due(working(1), at(2026, 3, 2), calendar=never)


# --- Properties of day counting ---------------------------------------------------------------------
@given(start=starts, count=st.integers(min_value=0, max_value=60), unit=st.sampled_from(["w", "d"]))
def test_one_more_unit_never_ends_earlier_and_inclusive_is_one_day_earlier_start(
    start, count, unit
):
    make = working if unit == "w" else days
    assert due(make(count + 1), start).due_date >= due(make(count), start).due_date
    if count:
        day_before = start - dt.timedelta(days=1)
        assert due(make(count, start_inclusive=True), start) == due(make(count), day_before)


@given(start=starts, count=st.integers(min_value=0, max_value=60))
def test_working_day_periods_end_on_a_working_day_after_the_start(start, count):
    result = due(working(count), start)
    assert CAL.is_workday(result.due_date)
    assert result.due_date >= start.date()
    if count:
        assert workdays_in(start.date() + dt.timedelta(days=1), result.due_date) == count


@given(start=starts, count=st.integers(min_value=0, max_value=60), size=st.integers(1, 30))
def test_an_extension_adds_its_size_like_a_longer_rule(start, count, size):
    for make in (working, days, hours):
        assert due(make(count), start, extensions=[size]) == due(make(count + size), start)


def test_the_count_can_be_replaced_by_an_internal_target():
    start = at(2026, 11, 2, 9, 0)
    assert due(working(10), start, count=5).due_date == D(2026, 11, 9)
    assert due(working(10), start).due_date == D(2026, 11, 16)


# --- Extensions ------------------------------------------------------------------------------------------
ONE_EXTENSION = days(30, max_extensions=1, extension_count=30)


def test_an_extension_is_granted_while_the_clock_runs():
    running_until = at(2026, 4, 2, 0, 0)
    assert (
        extension_refusal(ONE_EXTENSION, granted=0, due_at=running_until, at=at(2026, 4, 1, 23))
        is None
    )


def test_an_extension_after_the_clock_has_run_out_is_refused():
    run_out = at(2026, 4, 2, 0, 0)
    assert extension_refusal(ONE_EXTENSION, granted=0, due_at=run_out, at=run_out) == (
        Refusal.RUN_OUT
    )
    assert extension_refusal(ONE_EXTENSION, granted=0, due_at=run_out, at=at(2026, 4, 5, 9)) == (
        Refusal.RUN_OUT
    )


def test_a_second_extension_where_the_rule_allows_one_is_refused():
    assert (
        extension_refusal(ONE_EXTENSION, granted=1, due_at=at(2026, 5, 2), at=at(2026, 4, 3))
        == Refusal.LIMIT_REACHED
    )
    two = days(30, max_extensions=2, extension_count=30)
    assert extension_refusal(two, granted=1, due_at=at(2026, 5, 2), at=at(2026, 4, 3)) is None


def test_a_rule_without_extensions_and_a_stopped_clock_refuse_any():
    assert (
        extension_refusal(days(20), granted=0, due_at=at(2026, 5, 2), at=at(2026, 4, 3))
        == Refusal.NOT_EXTENDABLE
    )
    assert (
        extension_refusal(
            ONE_EXTENSION, granted=0, due_at=at(2026, 5, 2), at=at(2026, 4, 3), stopped=True
        )
        == Refusal.STOPPED
    )


def test_a_paused_clock_can_be_extended():
    assert extension_refusal(ONE_EXTENSION, granted=0, due_at=None, at=at(2026, 4, 3)) is None


# --- A fire investigation, as data (DOMAIN.md §5.2 and measure 5) -------------------------------------
FIRE = days(30, max_extensions=1, extension_count=30, pauses_stop_clock=True)
FIRE_UNDISPUTED = days(20)


def test_a_fire_investigation_clock_with_lab_time_an_extension_and_a_switch():
    alarm = at(2026, 3, 2, 23, 50)  # Monday
    assert due(FIRE, alarm).due_date == D(2026, 4, 1)
    # Evidence at the lab from Mar 10 to Mar 17: seven days not counted.
    lab = [Pause(at(2026, 3, 10, 10, 0), at(2026, 3, 17, 15, 0))]
    assert due(FIRE, alarm, pauses=lab).due_date == D(2026, 4, 8)
    # Extended by 30 with the higher authority's approval: May 8 (a Friday).
    assert due(FIRE, alarm, pauses=lab, extensions=[30]).due_date == D(2026, 5, 8)
    # An enterprise case turns out undisputed: 20 days from the alarm, lab time still excluded.
    undisputed = due(FIRE_UNDISPUTED, alarm, pauses=lab)
    # Mar 2 + 20 + 7 = Mar 29, a Sunday: rolls to Monday Mar 30 (Civil Code art. 203).
    assert undisputed.due_date == D(2026, 3, 30)


# --- Reminder moments ----------------------------------------------------------------------------------
def test_day_clocks_remind_at_nine_before_on_and_after_the_due_day():
    result = due(working(10), at(2026, 11, 2, 9, 0))
    times = reminder_times(working(10), result, tz=TZ)
    assert times.warning == at(2026, 11, 14, 9, 0)
    assert times.due == at(2026, 11, 16, 9, 0)
    assert times.overdue == at(2026, 11, 17, 9, 0)
    assert reminder_times(working(10), result, tz=TZ, warn_before=0).warning is None


def test_hour_clocks_remind_before_and_at_the_end_and_paused_clocks_not_at_all():
    result = due(hours(24), at(2026, 9, 30, 16, 0))
    times = reminder_times(hours(24), result, tz=TZ, warn_before=4)
    assert times.warning == at(2026, 10, 1, 12, 0)
    assert times.due == times.overdue == at(2026, 10, 1, 16, 0)
    assert reminder_times(hours(24), Due(None, None, False), tz=TZ) is None
