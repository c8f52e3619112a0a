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


# --- Publishing a year -----------------------------------------------------------------------------
NOTICE = [(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 4), False, "元旦调休")]


def test_it_refuses_a_notice_without_its_source_on_the_source_field(no_2027):
    from django.core.exceptions import ValidationError

    for source in ("", None, "   "):
        with pytest.raises(ValidationError) as refused:
            calendar.publish_calendar_year(2027, days=NOTICE, source=source)
        assert refused.value.message_dict == {
            "source": ["请填写依据：国务院办公厅节假日安排通知的标题或文号。"]
        }
        assert refused.value.error_dict["source"][0].code == "calendar_source"
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_stores_the_source_its_address_and_who_entered_it(no_2027, administrator):
    from auditlog.models import LogEntry

    year = calendar.publish_calendar_year(
        2027, days=NOTICE, source="  国办发明电〔2026〕1号  ", actor=administrator
    )
    assert (year.source, year.source_url, year.entered_by) == (
        "国办发明电〔2026〕1号",
        "",
        administrator,
    )
    entries = LogEntry.objects.get_for_model(CalendarDay).filter(actor=administrator)
    assert entries.count() == 2
    again = calendar.publish_calendar_year(
        2027, days=NOTICE, source="通" * 300, source_url="https://www.gov.cn/notice"
    )
    assert again.source == "通" * 255
    assert again.source_url == "https://www.gov.cn/notice"


def test_it_deletes_the_days_a_corrected_notice_drops_and_updates_the_rest(no_2027):
    calendar.publish_calendar_year(2027, days=NOTICE, source="通知")
    corrected = [(D(2027, 1, 4), False, "改正的说明"), (D(2027, 1, 5), False, "新增")]
    calendar.publish_calendar_year(2027, days=corrected, source="更正通知")
    rows = list(CalendarDay.objects.filter(date__year=2027).values_list("date", "note"))
    assert rows == [(D(2027, 1, 4), "改正的说明"), (D(2027, 1, 5), "新增")]


# --- Checking a notice's lines -----------------------------------------------------------------------
def errors_of(year, days):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        calendar.check_calendar_days(year=year, days=days)
    return [(e.code, e.message % e.params) for e in refused.value.error_list]


def test_it_names_every_wrong_line_with_its_reason():
    lines = [
        ("2027-01-01", False, "not a date"),
        (dt.datetime(2027, 1, 2, 9, 0), False, "a datetime"),
        (D(2028, 1, 3), False, "wrong year"),
        (D(2027, 1, 4), False, "ok"),
        (D(2027, 1, 4), False, "twice"),
        (D(2027, 1, 9), False, "a Saturday off"),
        (D(2027, 1, 5), True, "a Tuesday worked"),
    ]
    assert errors_of(2027, lines) == [
        ("calendar_date", "2027-01-01 不是日期。"),
        ("calendar_date", "2027-01-02T09:00:00 不是日期。"),
        ("calendar_wrong_year", "2028-01-03 不在 2027 年内。"),
        ("calendar_duplicate", "2027-01-04 重复录入。"),
        ("calendar_weekend_off", "2027-01-09 是周末，本来就休息：周末只录入调休上班的日子。"),
        (
            "calendar_weekday_worked",
            "2027-01-05 是周一至周五，本来就上班：工作日只录入放假的日子。",
        ),
    ]


@pytest.mark.parametrize("year", [1999, 2101, "2027"])
def test_it_refuses_a_year_outside_2000_to_2100(year):
    assert errors_of(year, []) == [("calendar_year_range", "年份应在 2000 至 2100 之间。")]


@pytest.mark.parametrize("year", [2000, 2100])
def test_it_accepts_the_first_and_the_last_year(year):
    assert calendar.check_calendar_days(year=year, days=[]) == []


def test_it_keeps_64_characters_of_a_note():
    [(_day, _workday, note)] = calendar.check_calendar_days(
        year=2027, days=[(D(2027, 1, 1), False, "  " + "元" * 80)]
    )
    assert note == "元" * 64


def test_it_says_what_it_needs_when_given_the_wrong_kind_of_day():
    with pytest.raises(TypeError, match=r"^a datetime\.date is required, not datetime$"):
        calendar.is_workday(dt.datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match=r"^n must be >= 0$"):
        add_working_days(D(2026, 3, 2), -1)
