"""The administrators' page for entering a year's holiday notice (节假日安排通知), in the admin.

The notice reads as date ranges ("2月5日至13日放假调休，共9天") and a list of make-up working
days ("2月20日（星期六）上班"); the page takes it that way, pre-filled with what the calendar
believes now (the entered rows, or the stand-in's guess with its days in lieu), so an
administrator corrects a few lines rather than typing the year. A preview shows the change in
working days before ``publish_calendar_year`` (the one door) stores it and recomputes what
depends on the year.

Reached at ``/admin/core/calendaryear/enter/`` (linked from the 节假日安排年度 list), by
administrators only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import calendar
from .models import CalendarDay, CalendarYear

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

MAX_RANGE_DAYS = 31  # no notice gives a longer holiday; a longer range is a typing mistake
NOTE_LENGTH = CalendarDay._meta.get_field("note").max_length
_ONE_DAY = dt.timedelta(days=1)

_DATE = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
_RANGE_LINE = re.compile(
    rf"^{_DATE}(?:\s*(?:至|到|~|～|—|–|to)\s*{_DATE})?(?:\s+(.*))?$", re.IGNORECASE
)
_DAY_LINE = re.compile(rf"^{_DATE}(?:\s+(.*))?$")


# --- What the calendar believes now, as the notice would write it ----------------------------------
def _block_name(notes: list[str]) -> str:
    names: list[str] = []
    for note in notes:
        name = note.replace("（补假）", "").replace("农历除夕", "春节").strip()
        if name and name not in names:
            names.append(name)
    return "、".join(names)


def current_exceptions(year: int) -> dict[dt.date, tuple[bool, str]]:
    """The exceptions the calendar counts for ``year`` now: the entered rows, or the stand-in's
    days off (with any rows entered for an unpublished year on top)."""
    if CalendarYear.objects.filter(year=year).exists():
        exceptions: dict[dt.date, tuple[bool, str]] = {}
    else:
        exceptions = {d: (False, name) for d, name in calendar.stand_in_days_off(year).items()}
    for day, workday, note in CalendarDay.objects.filter(date__year=year).values_list(
        "date", "is_workday", "note"
    ):
        exceptions[day] = (workday, note)
    return exceptions


def holiday_lines(exceptions: dict[dt.date, tuple[bool, str]], year: int) -> list[str]:
    """Weekday days off as the notice writes them: one range per holiday, weekends included
    ("2027-02-05 至 2027-02-10 春节"), a single date for a lone day off."""
    lines: list[str] = []
    day, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    while day <= last:
        if not _is_off(exceptions, day):
            day += _ONE_DAY
            continue
        start = day
        while day + _ONE_DAY <= last and _is_off(exceptions, day + _ONE_DAY):
            day += _ONE_DAY
        notes = [
            exceptions[d][1] for d in _dates(start, day) if d in exceptions and not exceptions[d][0]
        ]
        if notes:  # a plain weekend is no holiday
            label = start.isoformat() if start == day else f"{start} 至 {day}"
            lines.append(f"{label} {_block_name(notes)}".rstrip())
        day += _ONE_DAY
    return lines


def make_up_lines(exceptions: dict[dt.date, tuple[bool, str]]) -> list[str]:
    return [
        f"{d.isoformat()} {note}".rstrip()
        for d, (workday, note) in sorted(exceptions.items())
        if workday
    ]


def _is_off(exceptions: dict[dt.date, tuple[bool, str]], day: dt.date) -> bool:
    if day in exceptions:
        return not exceptions[day][0]
    return day.weekday() >= 5


def _dates(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def working_days_with(year: int, exceptions: dict[dt.date, bool]) -> int:
    return sum(
        exceptions.get(d, d.weekday() < 5)
        for d in _dates(dt.date(year, 1, 1), dt.date(year, 12, 31))
    )


# --- The form ------------------------------------------------------------------------------------------
class CalendarNoticeForm(forms.Form):
    year = forms.IntegerField(
        label=_("年份"), min_value=calendar.MIN_YEAR, max_value=calendar.MAX_YEAR
    )
    source = forms.CharField(
        label=_("依据"),
        max_length=255,
        widget=forms.TextInput(attrs={"size": 60, "style": "width: 40em; max-width: 100%"}),
        help_text=_(
            "通知的标题或文号，例如“国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）”。"
        ),
    )
    source_url = forms.URLField(
        label=_("来源网址"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 60, "style": "width: 40em; max-width: 100%"}),
    )
    holidays = forms.CharField(
        label=_("放假"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 60, "style": "font-family: monospace"}),
        help_text=_(
            "每行一段假期：开始日期 至 结束日期 名称，例如“2027-02-05 至 2027-02-13 春节”；"
            "只放一天的写一个日期，例如“2027-04-05 清明节”。一段假期中的周六、周日本来就休息，"
            "会自动略过。"
        ),
    )
    make_up_days = forms.CharField(
        label=_("调休上班日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60, "style": "font-family: monospace"}),
        help_text=_(
            "每行一个要上班的周六或周日：日期 说明，例如“2027-02-20 春节调休上班”。"
            "调休上班日无法预先推算，请按通知逐一录入。"
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is None or "holidays" not in cleaned or "make_up_days" not in cleaned:
            return cleaned
        seen: dict[dt.date, str] = {}  # date → where it was entered, to explain a repetition
        covered: dict[dt.date, str] = {}  # weekend days inside a holiday range → its line
        off = self._parse("holidays", year, seen, covered, workday=False)
        worked = self._parse("make_up_days", year, seen, covered, workday=True)
        if self.errors:
            return cleaned
        try:
            cleaned["days"] = calendar.check_calendar_days(year=year, days=off + worked)
        except ValidationError as error:  # every line passed alone: nothing should be left
            self.add_error(None, error)
        return cleaned

    def _parse(
        self,
        field: str,
        year: int,
        seen: dict[dt.date, str],
        covered: dict[dt.date, str],
        *,
        workday: bool,
    ) -> list[tuple[dt.date, bool, str]]:
        entries: list[tuple[dt.date, bool, str]] = []
        errors: list[str] = []
        for number, raw in enumerate(self.cleaned_data[field].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            where = _g("第 %(n)s 行") % {"n": number}
            try:
                days, note, span = self._make_up_line(line) if workday else self._holiday_line(line)
            except ValueError as error:
                errors.append(f"{where}：{error}")
                continue
            line_entries = [(d, workday, note) for d in days]
            try:
                calendar.check_calendar_days(year=year, days=line_entries)
            except ValidationError as error:
                errors.extend(f"{where}：{message}" for message in error.messages)
                continue
            label = f"{self.fields[field].label}{where}"
            for day in days:
                if workday and day in covered:
                    errors.append(
                        _g("%(where)s：%(date)s 在%(first)s的假期之内，不能又是调休上班日。")
                        % {"where": where, "date": day.isoformat(), "first": covered[day]}
                    )
                elif day in seen:
                    errors.append(
                        _g("%(where)s：%(date)s 已在%(first)s录入。")
                        % {"where": where, "date": day.isoformat(), "first": seen[day]}
                    )
                else:
                    seen[day] = label
            if not workday:
                covered.update((d, label) for d in span if d not in days)
            entries.extend(line_entries)
        if errors:
            self.add_error(field, errors)
        return entries

    @staticmethod
    def _holiday_line(line: str) -> tuple[list[dt.date], str, list[dt.date]]:
        """The weekdays off a line gives, its name, and every date the range spans."""
        match = _RANGE_LINE.match(line)
        if not match:
            raise ValueError(
                _g("“%(line)s”看不懂：应为“2027-02-05 至 2027-02-13 春节”或“2027-04-05 清明节”。")
                % {"line": line[:40]}
            )
        start = _date(*match.group(1, 2, 3))
        end = _date(*match.group(4, 5, 6)) if match.group(4) else start
        if end < start:
            raise ValueError(_g("结束日期早于开始日期。"))
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise ValueError(
                _g("一段假期不超过 %(max)s 天，请检查日期。") % {"max": MAX_RANGE_DAYS}
            )
        note = (match.group(7) or "").strip()[:NOTE_LENGTH]
        if start == end:
            return [start], note, [start]  # a lone weekend day: check_calendar_days says why
        span = _dates(start, end)
        days = [d for d in span if d.weekday() < 5]
        if not days:
            raise ValueError(_g("这段日期都是周六、周日，本来就休息，无需录入。"))
        return days, note, span

    @staticmethod
    def _make_up_line(line: str) -> tuple[list[dt.date], str, list[dt.date]]:
        match = _DAY_LINE.match(line)
        if not match:
            raise ValueError(
                _g("“%(line)s”看不懂：应为“2027-02-20 春节调休上班”。") % {"line": line[:40]}
            )
        note = (match.group(4) or "").strip()[:NOTE_LENGTH] or _g("调休上班")
        day = _date(*match.group(1, 2, 3))
        return [day], note, [day]


def _date(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(_g("%(date)s 不是日期。") % {"date": f"{year}-{month}-{day}"}) from None


# --- The preview -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    date: dt.date
    before: bool
    after: bool
    note: str


@dataclass(frozen=True)
class Preview:
    year: int
    official_before: bool
    before: int  # working days the calendar counts now
    after: int  # working days once the notice is published
    changes: list[Change]

    @property
    def difference(self) -> int:
        return self.after - self.before


def preview(year: int, days: list[tuple[dt.date, bool, str]]) -> Preview:
    current = current_exceptions(year)
    now = {d: workday for d, (workday, _note) in current.items()}
    new = {d: workday for d, workday, _note in days}
    notes = {d: note for d, (_workday, note) in current.items()}
    notes.update((d, note) for d, _workday, note in days if note)
    changes = [
        Change(d, now.get(d, d.weekday() < 5), new.get(d, d.weekday() < 5), notes.get(d, ""))
        for d in sorted(set(now) | set(new))
        if now.get(d, d.weekday() < 5) != new.get(d, d.weekday() < 5)
    ]
    return Preview(
        year=year,
        official_before=CalendarYear.objects.filter(year=year).exists(),
        before=working_days_with(year, now),
        after=working_days_with(year, new),
        changes=changes,
    )


# --- The view --------------------------------------------------------------------------------------------
def _default_year() -> int:
    missing = calendar.missing_calendar_years()
    return missing[0] if missing else timezone.localdate().year + 1


def _initial(year: int) -> dict[str, Any]:
    exceptions = current_exceptions(year)
    entered = CalendarYear.objects.filter(year=year).first()
    return {
        "year": year,
        "source": entered.source if entered else "",
        "source_url": entered.source_url if entered else "",
        "holidays": "\n".join(holiday_lines(exceptions, year)),
        "make_up_days": "\n".join(make_up_lines(exceptions)),
    }


def _year_from_query(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return _default_year()
    return year if calendar.MIN_YEAR <= year <= calendar.MAX_YEAR else _default_year()


@never_cache
def enter_notice(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """GET: the form pre-filled for ``?year=``; POST ``preview``: the change; POST ``publish``."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not getattr(user, "is_administrator", False):
        raise PermissionDenied
    result: Preview | None = None
    if request.method == "POST":
        form = CalendarNoticeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if "publish" in request.POST:
                try:
                    published = calendar.publish_calendar_year(
                        data["year"],
                        days=data["days"],
                        source=data["source"],
                        source_url=data["source_url"],
                        actor=user,  # type: ignore[arg-type]
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _g(
                            "%(year)s 年节假日安排已发布：全年 %(count)s 个工作日。"
                            "跨入该年的暂定期限随之按通知重新计算。"
                        )
                        % {
                            "year": published.year,
                            "count": working_days_with(
                                published.year, {d: w for d, w, _n in data["days"]}
                            ),
                        },
                    )
                    return redirect("admin:core_calendaryear_changelist")
            if form.is_valid():
                result = preview(data["year"], data["days"])
    else:
        year = _year_from_query(request)
        form = CalendarNoticeForm(initial=_initial(year))
    year = form.initial.get("year") if not form.is_bound else form.data.get("year")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("录入年度节假日安排通知"),
        "form": form,
        "preview": result,
        "year": year,
        "year_entered": _year_entered(year),
        "missing_years": calendar.missing_calendar_years(),
    }
    return TemplateResponse(request, "admin/core/calendaryear/enter_notice.html", context)


def _year_entered(year: Any) -> bool | None:
    try:
        return CalendarYear.objects.filter(year=int(year)).exists()
    except (TypeError, ValueError):
        return None
