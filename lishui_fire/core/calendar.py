"""The working-day calendar: statutory periods counted in working days (工作日).

A day is a working day when it is Monday–Friday, unless the year's State Council holiday notice
(国务院办公厅关于…部分节假日安排的通知) says otherwise: ``CalendarDay`` rows hold the exceptions
(weekday holidays and 调休 make-up working weekends) of every year entered in ``CalendarYear``.

A year without a ``CalendarYear`` row (next year before the notice is out, usually November) is
counted on the law alone (the stand-in): weekdays minus the statutory holidays of the Regulation
on Public Holidays (全国年节及纪念日放假办法, 2025 revision) minus the day off in lieu its art. 6
guarantees for each of them that falls on a Saturday or Sunday (from the ``holidays`` package).
Make-up working weekends cannot be guessed and are left out, and every result touching such a
year is marked provisional. In 2019–2026 this rule gives the official working-day count of every
year but 2020 (the Spring Festival extended for COVID-19).

Publishing the year (``publish_calendar_year``, the door of the admin's notice page
``calendar_notice`` and of its plain form) bumps the cache version and, after commit, has every
provisional clock recounted (``core.clocks``).

Lookups read one cache entry per year touched (the exceptions of that year), not one query per
day. The cache key carries a version token that publishing replaces, so every process sees the
new data at once (LocMem locally, Redis in production). Without a cache the data comes from the
database directly: slower, never wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import jobs
from .models import CalendarDay, CalendarYear

if TYPE_CHECKING:
    from lishui_fire.accounts.models import User

log = logging.getLogger(__name__)

VERSION_KEY = "core:calendar:version"
# Bounds how long a year's data may stay stale if the version bump itself failed (cache down at
# the moment of publishing); a normal publish makes old entries unreachable at once.
YEAR_CACHE_SECONDS = 60 * 60
MIN_YEAR, MAX_YEAR = 2000, 2100

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool  # True when any day counted lies in a year without official data


# --- Reading ---------------------------------------------------------------------------------------
def _calendar_version() -> str | None:
    """The current version token, or None when the cache is unavailable (then: no caching)."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # add(), not set(): two processes starting at once agree on one token.
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:
        log.warning("calendar cache unavailable; reading the database", exc_info=True)
        return None


def invalidate_calendar_cache() -> None:
    """Make every cached year unreachable (a new random token, so an old one is never reused)."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        log.error("calendar cache version not bumped; stale for up to an hour", exc_info=True)


@functools.cache
def _law_only_china() -> type:
    """``holidays.China`` without the State Council notices' data: the law's rule alone.

    The package adds each published notice's substituted days off, extensions and special
    observed days on top of the statutory days (``_add_special_holidays``); leaving them out
    makes the stand-in the same rule for every year, so that checking it against 2019–2026
    (test_calendar) tests the rule that 2027 gets, not the data of the notices themselves.
    """
    from holidays.countries.china import China

    class LawOnlyChina(China):
        def _add_special_holidays(
            self, mapping_names: Iterable[str], *, observed: bool = False
        ) -> None:
            return None

    return LawOnlyChina


def stand_in_days_off(year: int) -> dict[dt.date, str]:
    """The weekdays the law alone makes days off in ``year``, with their (Chinese) names.

    The statutory holidays on Monday–Friday, plus one day in lieu (补假, named "…（补假）") for
    each statutory holiday on a Saturday or Sunday, on the next working day (全国年节及纪念日
    放假办法 art. 6; ``holidays`` with ``observed=True``). No make-up working day is guessed.
    """
    china = _law_only_china()(years=year, observed=True, language="zh_CN")
    return {day: name for day, name in sorted(china.items()) if day.weekday() < 5}


def _statutory_weekday_holidays(year: int) -> dict[dt.date, bool]:
    """The stand-in for a year without a notice: the law's weekday days off, no make-up days."""
    return dict.fromkeys(stand_in_days_off(year), False)


def stand_in_working_days(year: int) -> int:
    """How many working days the stand-in counts in ``year`` (the notice's own rows ignored)."""
    return _weekdays_in(year) - len(stand_in_days_off(year))


def _weekdays_in(year: int) -> int:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return sum((first + dt.timedelta(days=i)).weekday() < 5 for i in range((last - first).days + 1))


def _load_year(year: int) -> tuple[bool, dict[dt.date, bool]]:
    official = CalendarYear.objects.filter(year=year).exists()
    exceptions = {} if official else _statutory_weekday_holidays(year)
    # Rows are honoured even in a year not yet published: they are someone's entered knowledge.
    exceptions.update(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
    return official, exceptions


class _Lookup:
    """One computation's view of the calendar: each year read at most once, then kept locally."""

    def __init__(self) -> None:
        self._version = _calendar_version()
        self._years: dict[int, tuple[bool, dict[dt.date, bool]]] = {}

    def year(self, year: int) -> tuple[bool, dict[dt.date, bool]]:
        if year not in self._years:
            self._years[year] = self._fetch(year)
        return self._years[year]

    def _fetch(self, year: int) -> tuple[bool, dict[dt.date, bool]]:
        if self._version is None:
            return _load_year(year)
        key = f"core:calendar:{self._version}:{year}"
        try:
            cached = cache.get(key)
        except Exception:
            cached = None
        if cached is not None:
            return cached
        data = _load_year(year)
        try:
            cache.set(key, data, timeout=YEAR_CACHE_SECONDS)
        except Exception:
            log.warning("calendar year %s not cached", year, exc_info=True)
        return data

    def is_workday(self, day: dt.date) -> bool:
        return self.year(day.year)[1].get(day, day.weekday() < 5)

    def is_provisional(self, day: dt.date) -> bool:
        return not self.year(day.year)[0]


def _as_date(day: dt.date) -> dt.date:
    # A datetime is a date too, but it never equals the date keys of the calendar: refuse it
    # rather than silently treat every holiday as a working day.
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"a datetime.date is required, not {type(day).__name__}")
    return day


def year_has_data(year: int) -> bool:
    """Whether the State Council notice of ``year`` is entered (else its dates are provisional)."""
    return _Lookup().year(year)[0]


def is_workday(day: dt.date) -> bool:
    return _Lookup().is_workday(_as_date(day))


def day_is_provisional(day: dt.date) -> bool:
    """Whether ``day`` lies in a year without official data (its status is the fallback's)."""
    return _Lookup().is_provisional(_as_date(day))


def next_workday(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    return _roll_forward(_Lookup(), _as_date(day)).date


def _roll_forward(lookup: _Lookup, day: dt.date) -> Deadline:
    provisional = lookup.is_provisional(day)
    while not lookup.is_workday(day):
        day += _ONE_DAY
        provisional = provisional or lookup.is_provisional(day)
    return Deadline(day, provisional)


def add_working_days(start: dt.date, n: int) -> Deadline:
    """The n-th working day after ``start``: the day a period of n working days ends.

    The start day is not counted (Administrative Licensing Law art. 82, Civil Code art. 201),
    whether or not it is a working day: a clock started on a Sunday or a holiday ends on the
    same day as one started on the last working day before it. ``n == 0`` (decided "on the spot")
    gives ``start`` itself when it is a working day, else the next working day.

    The result is provisional when any day examined (after ``start``, or ``start`` itself when
    ``n == 0``) lies in a year without official data.
    """
    start = _as_date(start)
    if n < 0:
        raise ValueError("n must be >= 0")
    lookup = _Lookup()
    if n == 0:
        return _roll_forward(lookup, start)
    day, counted, provisional = start, 0, False
    while counted < n:
        day += _ONE_DAY
        provisional = provisional or lookup.is_provisional(day)
        if lookup.is_workday(day):
            counted += 1
    return Deadline(day, provisional)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """The number of working days d with a < d <= b (0 when b <= a).

    ``working_days_between(today, due)`` is what is left; ``working_days_between(due, today)``
    how long it is overdue. The inverse of ``add_working_days``:
    ``working_days_between(s, add_working_days(s, n).date) == n`` for n >= 1.
    """
    a, b = _as_date(a), _as_date(b)
    lookup = _Lookup()
    count, day = 0, a
    while day < b:
        day += _ONE_DAY
        count += lookup.is_workday(day)
    return count


def missing_calendar_years(*, today: dt.date | None = None) -> list[int]:
    """This year and next, those whose notice is not yet entered (for the yearly reminder)."""
    today = today or timezone.localdate()
    return [y for y in (today.year, today.year + 1) if not year_has_data(y)]


# --- Recomputing clocks when a year is published ----------------------------------------------------
# Every app's due dates are clocks (core.clocks): one recount of the provisional clocks serves
# them all, so no app registers a recomputer. The task is named, not imported (core.jobs): the
# clocks count on this module, and this module must not import them back.
RECOMPUTE_TASK = "lishui_fire.core.tasks.recompute_provisional_clocks"


# --- Publishing a year -----------------------------------------------------------------------------------
def check_calendar_days(
    *, year: int, days: Iterable[tuple[dt.date, bool, str]]
) -> list[tuple[dt.date, bool, str]]:
    """The exceptions of ``year``, sorted, or a ValidationError listing every wrong line.

    Only departures from Monday–Friday are entered: a weekday off (holiday) or a weekend day
    worked (调休上班). Anything else is a typing mistake worth catching before it moves deadlines.
    """
    errors: list[ValidationError] = []
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年份应在 %(min)s 至 %(max)s 之间。"),
            code="calendar_year_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )
    seen: set[dt.date] = set()
    result: list[tuple[dt.date, bool, str]] = []
    for day, workday, note in days:
        params = {"date": day.isoformat() if isinstance(day, dt.date) else str(day), "year": year}
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            errors.append(
                ValidationError(_("%(date)s 不是日期。"), code="calendar_date", params=params)
            )
            continue
        if day.year != year:
            errors.append(
                ValidationError(
                    _("%(date)s 不在 %(year)s 年内。"), code="calendar_wrong_year", params=params
                )
            )
        elif day in seen:
            errors.append(
                ValidationError(_("%(date)s 重复录入。"), code="calendar_duplicate", params=params)
            )
        elif day.weekday() >= 5 and not workday:
            errors.append(
                ValidationError(
                    _("%(date)s 是周末，本来就休息：周末只录入调休上班的日子。"),
                    code="calendar_weekend_off",
                    params=params,
                )
            )
        elif day.weekday() < 5 and workday:
            errors.append(
                ValidationError(
                    _("%(date)s 是周一至周五，本来就上班：工作日只录入放假的日子。"),
                    code="calendar_weekday_worked",
                    params=params,
                )
            )
        seen.add(day)
        result.append((day, bool(workday), (note or "").strip()[:64]))
    if errors:
        raise ValidationError(errors)
    return sorted(result)


def publish_calendar_year(
    year: int,
    *,
    days: Iterable[tuple[dt.date, bool, str]],
    source: str,
    source_url: str = "",
    actor: User | None = None,
) -> CalendarYear:
    """Enter (or correct) the holiday notice of ``year``: its exceptions replace the stored ones.

    ``days`` holds (date, is_workday, note) for every weekday off and every weekend day worked.
    After commit, the cache version is bumped and every provisional clock is recounted
    (``core.clocks.recompute_provisional_clocks``) on the official data.
    """
    entries = check_calendar_days(year=year, days=days)
    source = (source or "").strip()
    if not source:
        # The code goes on the field's error: beside a dict, ValidationError drops it.
        message = _("请填写依据：国务院办公厅节假日安排通知的标题或文号。")
        raise ValidationError({"source": ValidationError(message, code="calendar_source")})
    from auditlog.context import set_actor

    wanted = {day: (workday, note) for day, workday, note in entries}
    with transaction.atomic(), set_actor(actor):
        calendar_year, _created = CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "source": source[:255],
                "source_url": source_url or "",
                "entered_by": actor,
                "entered_at": timezone.now(),
            },
        )
        # Row by row (a year has a few dozen) so the audit log shows exactly what changed.
        for row in CalendarDay.objects.select_for_update().filter(date__year=year):
            if row.date not in wanted:
                row.delete()
                continue
            workday, note = wanted.pop(row.date)
            if (row.is_workday, row.note) != (workday, note):
                row.is_workday, row.note = workday, note
                row.save(update_fields=["is_workday", "note"])
        for day, (workday, note) in sorted(wanted.items()):
            CalendarDay.objects.create(date=day, is_workday=workday, note=note)
        transaction.on_commit(invalidate_calendar_cache)
        # After commit; a broker outage is logged, not an error: the calendar is committed and
        # the clocks stay provisional (honest) until the nightly catch-up recounts them.
        jobs.enqueue(RECOMPUTE_TASK, year)
    return calendar_year
