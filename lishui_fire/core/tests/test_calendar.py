"""The working-day calendar on real dates: Spring Festival and National Day with their 调休
make-up days, a year whose notice is not yet published (暂定), publishing it, and the admin door.

Facts about holidays are checked against chinese_calendar (and python-holidays) here rather than
trusted from memory: the seed and the arithmetic are then checked against those facts.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import holidays
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lishui_fire.core import calendar
from lishui_fire.core.calendar import (
    Deadline,
    add_working_days,
    day_is_provisional,
    is_workday,
    next_workday,
    publish_calendar_year,
    working_days_between,
    year_has_data,
)
from lishui_fire.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture
def recomputed(monkeypatch):
    """The years the clocks' recount was asked for (the recount itself replaced by a list)."""
    from lishui_fire.core import clocks

    calls: list[int] = []
    monkeypatch.setattr(clocks, "recompute_provisional_clocks", calls.append)
    return calls


@pytest.fixture
def no_2027():
    """2027 unpublished, whatever another test or a later seed did."""
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    calendar.invalidate_calendar_cache()


def publish(year, entries, *, actor=None, capture):
    with capture(execute=True):
        return publish_calendar_year(
            year=year,
            days=entries,
            source=f"国务院办公厅关于{year}年部分节假日安排的通知（测试）",
            actor=actor,
        )


# --- The seed against the library it was taken from -------------------------------------------------
def test_years_2019_to_2026_are_entered_and_2027_is_not(no_2027):
    assert [y for y in range(2017, 2029) if year_has_data(y)] == list(range(2019, 2027))


def test_every_day_2019_to_2026_agrees_with_chinesecalendar():
    disagreements = [
        d
        for d in days(D(2019, 1, 1), D(2026, 12, 31))
        if is_workday(d) != chinese_calendar.is_workday(d)
    ]
    assert disagreements == []
    assert not any(day_is_provisional(d) for d in (D(2019, 1, 1), D(2026, 12, 31)))


def test_chinesecalendar_and_python_holidays_agree_2019_to_2026():
    for year in range(2019, 2027):
        china = holidays.China(years=year)
        assert [
            d
            for d in days(D(year, 1, 1), D(year, 12, 31))
            if chinese_calendar.is_workday(d) != china.is_working_day(d)
        ] == [], year


def test_seeded_rows_carry_the_holiday_name():
    assert CalendarDay.objects.get(date=D(2025, 1, 28)).note == "春节"
    assert CalendarDay.objects.get(date=D(2025, 1, 26)).note == "春节调休上班"
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).note == "国庆节"
    assert CalendarYear.objects.get(year=2026).source.startswith("chinesecalendar 1.11.0")
    # Only exceptions are stored: an ordinary Monday and an ordinary Saturday have no row.
    assert not CalendarDay.objects.filter(date__in=[D(2026, 11, 2), D(2026, 11, 7)]).exists()


# (holidays off, make-up working weekend days), checked against chinese_calendar first.
FACTS = {
    "spring_festival_2025": (days(D(2025, 1, 28), D(2025, 2, 4)), [D(2025, 1, 26), D(2025, 2, 8)]),
    "national_day_2025": (days(D(2025, 10, 1), D(2025, 10, 8)), [D(2025, 9, 28), D(2025, 10, 11)]),
    "spring_festival_2026": (
        days(D(2026, 2, 15), D(2026, 2, 23)),
        [D(2026, 2, 14), D(2026, 2, 28)],
    ),
    "national_day_2026": (days(D(2026, 10, 1), D(2026, 10, 7)), [D(2026, 9, 20), D(2026, 10, 10)]),
}


@pytest.mark.parametrize("name", FACTS)
def test_the_holiday_and_its_make_up_days(name):
    off, worked = FACTS[name]
    assert [d for d in off if chinese_calendar.is_workday(d)] == [], "fact check failed"
    assert all(chinese_calendar.is_workday(d) and d.weekday() >= 5 for d in worked)
    assert [d for d in off if is_workday(d)] == []
    assert [d for d in worked if not is_workday(d)] == []
    # The working days just around the holiday are ordinary again.
    assert is_workday(off[0] - dt.timedelta(days=1)) or off[0].weekday() in (0, 6)
    assert not any(day_is_provisional(d) for d in off + worked)


# --- Counting working days ---------------------------------------------------------------------------
def test_the_start_day_is_not_counted():
    # Mon 2 Nov 2026 + 1 working day is Tue 3 Nov (Administrative Licensing Law art. 82).
    assert add_working_days(D(2026, 11, 2), 1) == Deadline(D(2026, 11, 3), False)
    assert add_working_days(D(2026, 11, 2), 10) == Deadline(D(2026, 11, 16), False)


@pytest.mark.parametrize(
    ("friday", "make_up_saturday"),
    [
        (D(2025, 2, 7), D(2025, 2, 8)),
        (D(2025, 10, 10), D(2025, 10, 11)),
        (D(2026, 10, 9), D(2026, 10, 10)),
    ],
)
def test_one_working_day_from_the_friday_before_a_make_up_saturday_is_that_saturday(
    friday, make_up_saturday
):
    assert friday.weekday() == 4
    assert chinese_calendar.is_workday(make_up_saturday)
    assert add_working_days(friday, 1) == Deadline(make_up_saturday, False)


def test_one_working_day_before_spring_festival_2025_lands_on_the_make_up_sunday():
    assert add_working_days(D(2025, 1, 24), 1).date == D(2025, 1, 26)  # Fri → Sun 调休上班
    assert add_working_days(D(2025, 1, 27), 1).date == D(2025, 2, 5)  # Mon → first day after


def test_a_twenty_day_clock_started_on_a_holiday():
    # Started on 1 Oct 2025 (National Day): Oct 9, 10, 11 (Sat, worked), 13–17, 20–24, 27–31,
    # Nov 3, 4. The same end as a clock started on Tue 30 Sep, the last working day before.
    expected = D(2025, 11, 4)
    assert add_working_days(D(2025, 10, 1), 20) == Deadline(expected, False)
    assert add_working_days(D(2025, 9, 30), 20).date == expected
    assert add_working_days(D(2025, 10, 4), 20).date == expected  # a Saturday in the holiday


def test_twenty_days_across_spring_festival_2026():
    start = D(2026, 2, 10)
    result = add_working_days(start, 20)
    assert result == Deadline(oracle_add(start, 20), False)
    assert working_days_between(start, result.date) == 20


def test_zero_days_means_today_or_the_next_working_day():
    assert add_working_days(D(2026, 11, 2), 0) == Deadline(D(2026, 11, 2), False)
    assert add_working_days(D(2026, 10, 1), 0) == Deadline(D(2026, 10, 8), False)
    assert add_working_days(D(2026, 10, 10), 0) == Deadline(D(2026, 10, 10), False)  # worked Sat
    assert add_working_days(D(2026, 11, 7), 0) == Deadline(D(2026, 11, 9), False)


def test_negative_days_and_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 11, 2), -1)
    with pytest.raises(TypeError):
        add_working_days(dt.datetime(2026, 10, 1, 9, 0), 1)
    with pytest.raises(TypeError):
        is_workday("2026-10-01")


def test_next_workday():
    assert next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    assert next_workday(D(2026, 9, 20)) == D(2026, 9, 20)  # Sunday worked
    assert next_workday(D(2026, 11, 28)) == D(2026, 11, 30)  # an ordinary Saturday


def test_working_days_between():
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0  # the whole holiday
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3  # Oct 9, 10, 11 (Sat)
    assert working_days_between(D(2025, 10, 11), D(2025, 9, 30)) == 0  # b before a
    assert working_days_between(D(2025, 10, 11), D(2025, 10, 11)) == 0
    # "overdue by": counted from the due date to today, the due date itself excluded.
    assert working_days_between(D(2026, 11, 2), D(2026, 11, 9)) == 5


def oracle_add(start: dt.date, n: int) -> dt.date:
    """The n-th working day after start, straight from chinese_calendar (2004–2026 only)."""
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day


_RELAXED = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_RELAXED
@given(start=st.dates(D(2019, 1, 1), D(2026, 10, 31)), n=st.integers(1, 40))
def test_add_working_days_matches_chinesecalendar(start, n):
    assert add_working_days(start, n) == Deadline(oracle_add(start, n), False)


@_RELAXED
@given(start=st.dates(D(2019, 1, 1), D(2027, 12, 31)), n=st.integers(1, 60))
def test_working_days_between_is_the_inverse_of_add_working_days(start, n):
    end = add_working_days(start, n).date
    assert working_days_between(start, end) == n
    assert is_workday(end)
    # The first day on which n working days have passed: one day earlier, n - 1 have.
    assert working_days_between(start, end - dt.timedelta(days=1)) == n - 1


# --- A year without a notice (2027 today) ------------------------------------------------------------
def test_2027_falls_back_to_weekdays_minus_statutory_holidays_and_days_in_lieu(no_2027):
    statutory = holidays.China(years=2027, observed=False)
    assert len(statutory) == 13  # Regulation on Public Holidays, 2025 revision
    assert {D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 8), D(2027, 10, 1)} <= set(statutory)
    assert not year_has_data(2027)
    for day in (D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 8), D(2027, 10, 1)):
        assert not is_workday(day)
        assert day_is_provisional(day)
    # Art. 6: Sat 2 and Sun 3 Oct (National Day), Sat 6 and Sun 7 Feb (Spring Festival) give a
    # day off in lieu on the next working days: Mon 4, Tue 5 Oct; Tue 9, Wed 10 Feb.
    for day in (D(2027, 10, 4), D(2027, 10, 5), D(2027, 2, 9), D(2027, 2, 10)):
        assert not is_workday(day)
        assert day_is_provisional(day)
    # No golden week and no make-up day is guessed: only the law's days.
    assert is_workday(D(2027, 10, 6))  # Wednesday after the days in lieu
    assert is_workday(D(2027, 2, 11))
    assert not is_workday(D(2027, 2, 6))  # Saturday, as any Saturday
    assert not is_workday(D(2027, 2, 20))  # no make-up Saturday guessed


def test_twenty_days_from_1_december_2026_stay_in_2026():
    # Dec 2–4, 7–11, 14–18, 21–25, 28, 29: the 20th working day is still in 2026, so firm.
    assert add_working_days(D(2026, 12, 1), 20) == Deadline(D(2026, 12, 29), False)


def test_a_period_crossing_into_2027_is_provisional_and_skips_new_years_day(no_2027):
    # Dec 11, 14–18, 21–25, 28–31 (15); Jan 1 2027 statutory holiday; Jan 4–8 (20).
    assert add_working_days(D(2026, 12, 10), 20) == Deadline(D(2027, 1, 8), True)
    assert add_working_days(D(2026, 12, 30), 1) == Deadline(D(2026, 12, 31), False)
    assert add_working_days(D(2026, 12, 31), 1) == Deadline(D(2027, 1, 4), True)
    assert add_working_days(D(2027, 1, 1), 0) == Deadline(D(2027, 1, 4), True)


def test_a_period_in_2027_skips_the_spring_festival_statutory_days(no_2027):
    # Thu 4 Feb 2027 + 1: Fri 5 (除夕) and Mon 8 are statutory, 6–7 the weekend, Tue 9 and
    # Wed 10 the days in lieu of 6 and 7.
    assert add_working_days(D(2027, 2, 4), 1) == Deadline(D(2027, 2, 11), True)
    # Fri 29 Jan + 5: Feb 1–4, then Feb 11 (on plain weekdays it would be Fri 5 Feb).
    assert add_working_days(D(2027, 1, 29), 5) == Deadline(D(2027, 2, 11), True)


def test_the_issues_example_ten_working_days_from_29_january_2027(no_2027):
    # Feb 1–4 (4), Feb 11, 12 (6), Feb 15–18 (10); without the days in lieu it was Feb 16.
    assert add_working_days(D(2027, 1, 29), 10) == Deadline(D(2027, 2, 18), True)
    assert working_days_between(D(2026, 12, 31), D(2027, 12, 31)) == 248  # not 254
    assert calendar.stand_in_working_days(2027) == 248


def test_rows_entered_for_an_unpublished_year_are_honoured_but_still_provisional(no_2027):
    # Thu 11 Feb is a working day on the stand-in (after the days in lieu), off by this row.
    assert is_workday(D(2027, 2, 11))
    CalendarDay.objects.create(date=D(2027, 2, 11), is_workday=False, note="春节")
    calendar.invalidate_calendar_cache()
    assert not is_workday(D(2027, 2, 11))
    assert day_is_provisional(D(2027, 2, 11))


# --- The stand-in checked against the years whose notice is known -----------------------------------
def official_working_days(year: int) -> int:
    return sum(chinese_calendar.is_workday(d) for d in days(D(year, 1, 1), D(year, 12, 31)))


# Measured from chinesecalendar 1.11.0 (and the seeded rows): the working days of each year.
OFFICIAL_WORKING_DAYS = {
    2019: 250,
    2020: 249,
    2021: 250,
    2022: 249,
    2023: 249,
    2024: 251,
    2025: 248,
    2026: 248,
}


@pytest.mark.parametrize("year", [y for y in OFFICIAL_WORKING_DAYS if y != 2020])
def test_the_stand_in_reproduces_the_official_working_day_count(year):
    assert official_working_days(year) == OFFICIAL_WORKING_DAYS[year], "fact check failed"
    # The seeded rows say the same: weekdays − weekday holidays + make-up weekend days.
    rows = CalendarDay.objects.filter(date__year=year)
    seeded = (
        calendar._weekdays_in(year)
        - rows.filter(is_workday=False).count()
        + rows.filter(is_workday=True).count()
    )
    assert seeded == OFFICIAL_WORKING_DAYS[year]
    assert calendar.stand_in_working_days(year) == OFFICIAL_WORKING_DAYS[year]
    # Without the days in lieu it would count more (or as many, in a year where no statutory
    # day falls on a weekend, like 2019).
    statutory = holidays.China(years=year, observed=False, language="en_US")
    plain = calendar._weekdays_in(year) - sum(
        1 for d, name in statutory.items() if d.weekday() < 5 and not name.startswith("Day off")
    )
    assert plain >= OFFICIAL_WORKING_DAYS[year]


def test_2020_differs_by_the_covid_extension_and_the_mid_autumn_overlap():
    # The notice extended the Spring Festival to 2 February (Thu 30 and Fri 31 Jan off) and gave
    # an eighth National Day day as Mid-Autumn fell on 1 October: three days the law alone
    # does not give.
    assert official_working_days(2020) == 249
    assert calendar.stand_in_working_days(2020) == 252


@pytest.mark.parametrize("year", list(OFFICIAL_WORKING_DAYS))
def test_a_stand_in_day_off_was_a_day_off_in_the_notice(year):
    """The stand-in never takes away a working day the notice kept (it only misses some)."""
    assert [d for d in calendar.stand_in_days_off(year) if chinese_calendar.is_workday(d)] == []


def test_the_stand_in_of_2027_names_its_days_in_lieu():
    off = calendar.stand_in_days_off(2027)
    assert off[D(2027, 2, 9)] == off[D(2027, 2, 10)] == "春节（补假）"
    assert off[D(2027, 5, 3)] == off[D(2027, 5, 4)] == "劳动节（补假）"
    assert off[D(2027, 10, 4)] == off[D(2027, 10, 5)] == "国庆节（补假）"
    assert off[D(2027, 2, 5)] == "农历除夕"
    assert len(off) == 261 - 248


def test_a_year_evaluated_without_its_row_is_counted_on_the_stand_in(no_2027):
    """Through the public functions (no CalendarYear row, no CalendarDay rows): 2027's count."""
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert working_days_between(D(2026, 12, 31), D(2027, 12, 31)) == 248
    assert sum(is_workday(d) for d in days(D(2027, 1, 1), D(2027, 12, 31))) == 248


@settings(max_examples=60, deadline=None)
@given(year=st.integers(calendar.MIN_YEAR, calendar.MAX_YEAR))
def test_the_stand_in_only_takes_weekdays_off_and_never_fewer_than_the_statutory_ones(year):
    off = calendar.stand_in_days_off(year)
    assert all(d.year == year and d.weekday() < 5 for d in off)
    assert set(calendar._statutory_weekday_holidays(year).values()) <= {False}
    statutory = calendar._law_only_china()(years=year, observed=False)
    weekday_statutory = {d for d in statutory if d.weekday() < 5}
    assert weekday_statutory <= set(off)
    # Never more working days than weekdays minus the statutory weekday holidays.
    assert calendar.stand_in_working_days(year) <= calendar._weekdays_in(year) - len(
        weekday_statutory
    )
    if year >= 2016:  # (the package hard-codes two notice quirks of 2012 and 2015)
        # One day in lieu per statutory holiday on a weekend, none more.
        on_weekends = sum(len(statutory.get_list(d)) for d in statutory if d.weekday() >= 5)
        assert len(off) == len(weekday_statutory) + on_weekends


# --- Publishing a year -----------------------------------------------------------------------------
NOTICE_2027 = [  # a test notice: New Year's Day off, Saturday 9 January worked
    (D(2027, 1, 1), False, "元旦"),
    (D(2027, 1, 9), True, "测试调休上班"),
]


def test_publishing_2027_makes_the_deadline_firm_and_uses_the_entered_days(
    no_2027, recomputed, django_capture_on_commit_callbacks, administrator
):
    before = add_working_days(D(2026, 12, 10), 20)
    assert before == Deadline(D(2027, 1, 8), True)

    year = publish(
        2027, NOTICE_2027, actor=administrator, capture=django_capture_on_commit_callbacks
    )

    assert recomputed == [2027]
    assert year.entered_by == administrator
    assert year_has_data(2027)
    # Jan 4–8 and the worked Saturday Jan 9 … but the 20th is reached on Fri Jan 8 already;
    # from Dec 11 the 21st is the make-up Saturday.
    assert add_working_days(D(2026, 12, 10), 20) == Deadline(D(2027, 1, 8), False)
    assert add_working_days(D(2026, 12, 10), 21) == Deadline(D(2027, 1, 9), False)
    # The statutory fallback is gone: an unlisted statutory day is an ordinary day now.
    assert is_workday(D(2027, 2, 8))


def test_the_recomputer_runs_only_after_commit(
    no_2027, recomputed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish_calendar_year(year=2027, days=NOTICE_2027, source="通知", actor=None)
    assert recomputed == []
    for callback in callbacks:
        callback()
    assert recomputed == [2027]


def test_a_failing_recount_does_not_undo_the_publication(
    no_2027, recomputed, monkeypatch, django_capture_on_commit_callbacks
):
    from lishui_fire.core import clocks

    def broken(year):
        recomputed.append(year)
        raise RuntimeError("boom")

    monkeypatch.setattr(clocks, "recompute_provisional_clocks", broken)
    publish(2027, NOTICE_2027, capture=django_capture_on_commit_callbacks)
    assert recomputed == [2027]
    assert year_has_data(2027)


def test_publishing_again_replaces_the_days_of_that_year_only(
    no_2027, recomputed, django_capture_on_commit_callbacks
):
    publish(2027, NOTICE_2027, capture=django_capture_on_commit_callbacks)
    publish(2027, [(D(2027, 1, 1), False, "元旦")], capture=django_capture_on_commit_callbacks)
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        D(2027, 1, 1)
    ]
    assert not is_workday(D(2027, 1, 9))
    assert CalendarYear.objects.filter(year=2027).count() == 1
    assert not is_workday(D(2026, 10, 1))  # other years untouched
    assert recomputed == [2027, 2027]


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([(D(2028, 1, 3), False, "元旦")], "calendar_wrong_year"),
        ([(D(2027, 1, 2), False, "周六")], "calendar_weekend_off"),
        ([(D(2027, 1, 4), True, "周一")], "calendar_weekday_worked"),
        ([(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 1), False, "元旦")], "calendar_duplicate"),
    ],
)
def test_a_notice_that_makes_no_sense_is_refused_and_nothing_changes(
    no_2027, recomputed, django_capture_on_commit_callbacks, entries, code
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as err:
        publish_calendar_year(year=2027, days=entries, source="通知", actor=None)
    assert code in [e.code for e in err.value.error_list]
    assert all(str(m) for m in err.value.messages)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert recomputed == []


def test_a_notice_without_source_or_with_an_absurd_year_is_refused(no_2027):
    with pytest.raises(ValidationError):
        publish_calendar_year(year=2027, days=NOTICE_2027, source="  ", actor=None)
    with pytest.raises(ValidationError):
        publish_calendar_year(year=1899, days=[], source="通知", actor=None)
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- Cost ---------------------------------------------------------------------------------------------
def test_twenty_working_days_cost_a_few_queries_cold_and_none_warm(
    no_2027, django_assert_max_num_queries, django_assert_num_queries
):
    calendar.invalidate_calendar_cache()
    with django_assert_max_num_queries(4):  # two per year touched, not one per day
        cold = add_working_days(D(2026, 12, 10), 20)
    with django_assert_num_queries(0):
        warm = add_working_days(D(2026, 12, 10), 20)
        working_days_between(D(2026, 12, 10), warm.date)
        is_workday(D(2027, 1, 1))
    assert cold == warm


def test_a_cache_outage_is_slower_but_not_wrong(monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "add", down)
    assert add_working_days(D(2025, 10, 1), 20) == Deadline(D(2025, 11, 4), False)
    calendar.invalidate_calendar_cache()  # logs, does not raise


# --- Admin: the door an administrator uses in November ------------------------------------------------
ADD_URL = "admin:core_calendaryear_add"


def admin_post_2027(client, capture, lines):
    with capture(execute=True):
        return client.post(
            reverse(ADD_URL),
            {
                "year": "2027",
                "source": "国务院办公厅关于2027年部分节假日安排的通知",
                "source_url": "https://www.gov.cn/",
                "days": "\n".join(lines),
            },
        )


def test_admin_enters_2027_and_a_provisional_deadline_becomes_firm(
    no_2027, recomputed, client_for, administrator, django_capture_on_commit_callbacks
):
    assert add_working_days(D(2026, 12, 10), 20).provisional
    client = client_for(administrator)
    response = admin_post_2027(
        client,
        django_capture_on_commit_callbacks,
        ["2027-01-01 休 元旦", "", "2027-01-09 班 调休上班"],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert recomputed == [2027]
    year = CalendarYear.objects.get(year=2027)
    assert year.entered_by == administrator
    assert CalendarDay.objects.get(date=D(2027, 1, 9)).is_workday
    assert add_working_days(D(2026, 12, 10), 20) == Deadline(D(2027, 1, 8), False)

    page = client.get(reverse("admin:core_calendaryear_change", args=[year.pk]))
    assert "2027-01-09 班 调休上班" in page.content.decode()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2027-01-02 休 周六", "本来就休息"),
        ("2027/01/01 休", "看不懂"),
        ("2027-01-01 放假", "看不懂"),
        ("2028-01-03 休 元旦", "不在 2027 年内"),
    ],
)
def test_admin_shows_a_wrong_line_and_saves_nothing(
    no_2027,
    recomputed,
    client_for,
    administrator,
    django_capture_on_commit_callbacks,
    line,
    message,
):
    response = admin_post_2027(
        client_for(administrator), django_capture_on_commit_callbacks, [line]
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert recomputed == []


def test_admin_lists_the_days_read_only_and_does_not_delete_years(client_for, administrator):
    client = client_for(administrator)
    listing = client.get(reverse("admin:core_calendarday_changelist") + "?date__year=2026")
    assert listing.status_code == 200
    assert "国庆节" in listing.content.decode()
    row = CalendarDay.objects.get(date=D(2026, 10, 1))
    change = client.post(
        reverse("admin:core_calendarday_change", args=[row.pk]),
        {"date": "2026-10-01", "is_workday": "on", "note": "x"},
    )
    assert change.status_code == 403
    year = CalendarYear.objects.get(year=2026)
    assert client.post(reverse("admin:core_calendaryear_delete", args=[year.pk])).status_code == 403
    assert not is_workday(D(2026, 10, 1))


def test_only_administrators_reach_the_calendar_admin(client_for, supervisor):
    response = client_for(supervisor).get(reverse(ADD_URL))
    assert response.status_code in (302, 403)


# --- The yearly reminder ----------------------------------------------------------------------------
def test_check_calendar_years_warns_about_next_year_until_it_is_entered(
    no_2027, capsys, django_capture_on_commit_callbacks
):
    call_command("check_calendar_years", today=D(2026, 11, 28))
    out, err = capsys.readouterr()
    assert "2026 年节假日安排已录入" in out
    assert "2027 年节假日安排尚未录入" in err
    assert calendar.missing_calendar_years(today=D(2026, 11, 28)) == [2027]

    publish(2027, NOTICE_2027, capture=django_capture_on_commit_callbacks)
    call_command("check_calendar_years", today=D(2026, 11, 28))
    out, err = capsys.readouterr()
    assert err == ""
    assert "2027 年节假日安排已录入" in out
    assert calendar.missing_calendar_years(today=D(2026, 11, 28)) == []


def test_admin_year_list_counts_the_exceptions_in_one_query(
    client_for, administrator, django_assert_max_num_queries
):
    client = client_for(administrator)
    client.get(reverse("admin:core_calendaryear_changelist"))
    with django_assert_max_num_queries(8):  # not one more per year
        page = client.get(reverse("admin:core_calendaryear_changelist"))
    html = page.content.decode()
    assert page.status_code == 200
    expected = CalendarDay.objects.filter(date__year=2026).count()
    assert f'<td class="field-exception_count">{expected}</td>' in html


def test_a_publication_while_the_broker_is_down_is_saved_and_only_warned_about(
    no_2027, recomputed, broker_down, caplog, django_capture_on_commit_callbacks
):
    import logging

    with caplog.at_level(logging.WARNING, logger="lishui_fire.core.jobs"):
        publish(2027, NOTICE_2027, capture=django_capture_on_commit_callbacks)
    assert CalendarYear.objects.filter(year=2027).exists()
    assert recomputed == []  # the recount waits for the nightly beat (ADR 0009)
    [warning] = [r for r in caplog.records if r.name == "lishui_fire.core.jobs"]
    assert "recompute_provisional_clocks(2027)" in warning.getMessage()
