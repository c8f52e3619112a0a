"""Seed the working-day calendar 2019–2026 from the pinned chinesecalendar 1.11.0.

Only departures from Monday–Friday are stored: weekday holidays and 调休 make-up working weekends.
Idempotent (``ensure_reference_data`` runs ``seed`` again after a transactional test's flush).
Later years are entered in the admin when the State Council notice is published.
"""

import datetime as dt

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2019, 2026
SOURCE = "chinesecalendar 1.11.0 / 国务院办公厅节假日安排通知"

# chinese_calendar's Holiday names (English values) → the names used in the State Council notice.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def calendar_exceptions(year):
    """(date, is_workday, note) for every day of ``year`` that is not as Monday–Friday says."""
    import chinese_calendar

    day = dt.date(year, 1, 1)
    while day.year == year:
        workday = chinese_calendar.is_workday(day)
        if workday != (day.weekday() < 5):
            _on_holiday, name = chinese_calendar.get_holiday_detail(day)
            name = HOLIDAY_NAMES.get(name, name or "")
            note = f"{name}调休上班" if workday else (name or "休息日")
            yield day, workday, note[:64]
        day += dt.timedelta(days=1)


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": SOURCE})
        for day, workday, note in calendar_exceptions(year):
            CalendarDay.objects.update_or_create(
                date=day, defaults={"is_workday": workday, "note": note}
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
