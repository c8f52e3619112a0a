"""core.calendar at the edges its own tests (core/tests/test_calendar.py) left open.

Each test was written against a mutant of `make mutation` that survived; what it pins is said in
its docstring. 2019–2026 are published years in the seed, 2027 is not (the ``no_2027`` fixture
makes sure of it).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lishui_fire.core import calendar
from lishui_fire.core.calendar import Deadline, add_working_days, missing_calendar_years
from lishui_fire.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def no_2027():
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    calendar.invalidate_calendar_cache()


def test_it_marks_a_roll_forward_provisional_once_it_crosses_into_an_unpublished_year(no_2027):
    """Started on a published rest day, rolled into 2027: the result depends on 2027's days."""
    CalendarDay.objects.create(date=D(2026, 12, 31), is_workday=False, note="测试假日")
    calendar.invalidate_calendar_cache()
    # 31 Dec 2026 off, 1 Jan 2027 (Friday) New Year's Day, then the weekend: Monday 4 January.
    assert add_working_days(D(2026, 12, 31), 0) == Deadline(D(2027, 1, 4), True)
    assert add_working_days(D(2026, 12, 30), 0) == Deadline(D(2026, 12, 30), False)


def test_it_reports_the_years_around_the_day_it_is_given_not_today(no_2027):
    assert missing_calendar_years(today=D(2031, 6, 1)) == [2031, 2032]
    assert missing_calendar_years(today=D(2025, 6, 1)) == []
    assert missing_calendar_years(today=D(2026, 6, 1)) == [2027]
