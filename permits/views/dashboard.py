"""The supervisors' permits dashboard: the figures that matter as charts with their tables.

For a period (30, 90 or 365 days ending today) against the period of the same length before
it: applications received (and at the window), decided, decided on time, refused; the same per
brigade for the detachment; the daily trend; what falls due in the next 3 working days; the
applications open now by status; pre-check punctuality and the first-inspection pass rate with
and without a pre-check. Each chart is server-rendered SVG (``lishui_fire/core/charts.py``)
beside the table it pictures; the table is the source of truth. The page costs a fixed number of
queries whatever the table holds (pinned in ``permits/tests/test_dashboard.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from lishui_fire.accounts.decorators import supervisor_required
from lishui_fire.core.charts import Series, bar_chart, describe

from .. import rules, selectors
from .. import selectors_dashboard as dash
from ..models import Channel
from ..workflow import OPEN_STATUSES
from ..workflow import PermitStatus as S

DUE_SOON_ROWS = 25
# The trend is drawn in buckets: days for a month, weeks for a quarter, four-week "months" for
# a year, so that a chart has at most about fourteen bars per series.
BUCKET_DAYS = {30: 7, 90: 7, 365: 28}


class PeriodForm(forms.Form):
    period = forms.TypedChoiceField(
        label=gettext_lazy("统计期间"),
        coerce=int,
        choices=[
            (30, gettext_lazy("近 30 天")),
            (90, gettext_lazy("近 90 天")),
            (365, gettext_lazy("近一年")),
        ],
        initial=dash.DEFAULT_PERIOD,
        required=False,
        empty_value=dash.DEFAULT_PERIOD,
    )


@dataclass(frozen=True)
class Trend:
    """One figure of this period beside the period before, said in words (not only an arrow)."""

    label: str
    now: int
    before: int

    @property
    def delta(self) -> int:
        return self.now - self.before

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "flat"

    @property
    def text(self) -> str:
        if self.delta == 0:
            return _("与上期持平（{before}）").format(before=self.before)
        if self.before == 0:
            return _("上期为 0，本期 {now}").format(now=self.now)
        percent = round(100 * abs(self.delta) / self.before)
        if self.delta > 0:
            return _("比上期多 {n}（+{p}%）").format(n=self.delta, p=percent)
        return _("比上期少 {n}（−{p}%）").format(n=-self.delta, p=percent)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _rate(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _buckets(period: dash.Period, daily: dict[dt.date, int]) -> list[dict[str, Any]]:
    """Received per bucket, this period's bucket beside the same bucket of the period before."""
    size = BUCKET_DAYS.get(period.days, 7)
    rows = []
    start = period.start
    while start < period.end:
        end = min(start + dt.timedelta(days=size), period.end)
        shift = dt.timedelta(days=period.days)
        now = sum(n for day, n in daily.items() if start <= day < end)
        before = sum(n for day, n in daily.items() if start - shift <= day < end - shift)
        last = end - dt.timedelta(days=1)
        label = (
            date_format(start, "n/j")
            if start == last
            else f"{date_format(start, 'n/j')}–{date_format(last, 'n/j')}"
        )
        rows.append({"label": label, "now": now, "before": before})
        start = end
    return rows


def _figures(user: Any, period: dash.Period) -> dict[str, Any]:
    figures = dash.period_figures(user=user, period=period)
    now, before = figures["now"], figures["before"]
    trends = [
        Trend(_("收到申请"), now["received"], before["received"]),
        Trend(_("其中窗口申请"), now["window"], before["window"]),
        Trend(_("作出决定"), now["decided"], before["decided"]),
        Trend(_("按期决定"), now["on_time"], before["on_time"]),
    ]
    on_time_now = _rate(now["on_time"], now["decided"])
    on_time_before = _rate(before["on_time"], before["decided"])
    chart = bar_chart(
        chart_id="chart-period",
        title=_("本期与上期：收件、决定与按期决定"),
        description=_("本期与上期的收件数、决定数和按期决定数；数据见下表。"),
        categories=[t.label for t in trends],
        series=[
            Series(_("本期"), [t.now for t in trends]),
            Series(_("上期"), [t.before for t in trends]),
        ],
    )
    return {
        "trends": trends,
        "chart": chart,
        "now": now,
        "before": before,
        "on_time_rate": _percent(now["on_time"], now["decided"]),
        "on_time_rate_before": _percent(before["on_time"], before["decided"]),
        "on_time_trend": on_time_now - on_time_before,
        "has_decisions": bool(now["decided"] or before["decided"]),
    }


def _trend(user: Any, period: dash.Period) -> dict[str, Any]:
    rows = _buckets(period, dash.daily_received(user=user, period=period))
    chart = bar_chart(
        chart_id="chart-trend",
        title=_("收件趋势"),
        description=describe([(r["label"], r["now"]) for r in rows])
        + _("；与上期同一时段对比，数据见下表。"),
        categories=[r["label"] for r in rows],
        series=[
            Series(_("本期"), [r["now"] for r in rows]),
            Series(_("上期同期"), [r["before"] for r in rows]),
        ],
    )
    return {"rows": rows, "chart": chart, "total": sum(r["now"] for r in rows)}


def _brigades(user: Any, period: dash.Period) -> dict[str, Any] | None:
    if not user.sees_all_brigades:
        return None
    brigades = list(dash.brigade_period_figures(user=user, period=period))
    summary = {b.pk: b for b in selectors.brigade_permit_summary(user=user)}
    rows = [
        {
            "brigade": b,
            "received": Trend("", b.received_now, b.received_before),
            "decided": Trend("", b.decided_now, b.decided_before),
            "on_time": _percent(b.on_time_now, b.decided_now),
            "open": summary[b.pk].open_count if b.pk in summary else 0,
            "overdue": summary[b.pk].overdue_count if b.pk in summary else 0,
            "green": summary[b.pk].green_count if b.pk in summary else 0,
        }
        for b in brigades
    ]
    chart = bar_chart(
        chart_id="chart-brigades",
        title=_("各大队本期收件与在办"),
        description=_("各大队本期收件数、上期收件数和当前逾期数；数据见下表。"),
        categories=[r["brigade"].display_name for r in rows],
        series=[
            Series(_("本期收件"), [r["received"].now for r in rows]),
            Series(_("上期收件"), [r["received"].before for r in rows]),
            Series(_("当前逾期"), [r["overdue"] for r in rows]),
        ],
    )
    return {"rows": rows, "chart": chart}


def _status(user: Any) -> dict[str, Any]:
    counts = selectors.status_counts(user=user)
    open_rows = [{"status": s, "count": counts.get(s.value, 0)} for s in S if s in OPEN_STATUSES]
    # Closed statuses only where there are some: no table of zeros.
    closed_rows = [
        {"status": s, "count": counts[s.value]}
        for s in S
        if s not in OPEN_STATUSES and s != S.DRAFT and counts.get(s.value)
    ]
    chart = bar_chart(
        chart_id="chart-status",
        title=_("在办申请所处环节"),
        description=describe([(str(r["status"].label), r["count"]) for r in open_rows]),
        categories=[str(r["status"].label) for r in open_rows],
        series=[Series(_("件数"), [r["count"] for r in open_rows])],
    )
    return {
        "open_rows": open_rows,
        "closed_rows": closed_rows,
        "open_count": sum(r["count"] for r in open_rows),
        "chart": chart,
    }


def _prechecks(user: Any, today: dt.date) -> dict[str, Any]:
    grace = getattr(settings, "PRECHECK_PUNCTUALITY_GRACE_MINUTES", 15)
    since = timezone.now() - dt.timedelta(days=90)
    punctuality = [
        {
            "brigade": b,
            "attended": b.attended,
            "on_time": b.on_time,
            "rate": _percent(b.on_time, b.attended),
        }
        for b in selectors.punctuality_by_brigade(user=user, since=since, grace_minutes=grace)
    ]
    rates = selectors.first_inspection_pass_rates(user=user)
    pass_rows = [
        {
            "label": label,
            "passed": rates[key]["passed"],
            "total": rates[key]["total"],
            "rate": _percent(rates[key]["passed"], rates[key]["total"]),
            "percent": _rate(rates[key]["passed"], rates[key]["total"]),
        }
        for key, label in (
            ("with_precheck", _("经过预约体检")),
            ("without_precheck", _("未经预约体检")),
        )
    ]
    pass_chart = bar_chart(
        chart_id="chart-pass",
        title=_("首次现场检查合格率（%）"),
        description=describe([(r["label"], r["percent"]) for r in pass_rows])
        + _("（百分比）；数据见下表。"),
        categories=[r["label"] for r in pass_rows],
        series=[Series(_("合格率 %"), [r["percent"] for r in pass_rows])],
        limit=100,
        limit_label="100%",
    )
    attended = [p for p in punctuality if p["attended"]]
    punctuality_chart = (
        bar_chart(
            chart_id="chart-punctuality",
            title=_("预约体检准时到场"),
            description=_("各大队近 90 天已到场体检数和准时数；数据见下表。"),
            categories=[p["brigade"].display_name for p in attended],
            series=[
                Series(_("已到场"), [p["attended"] for p in attended]),
                Series(_("准时"), [p["on_time"] for p in attended]),
            ],
        )
        if attended
        else None
    )
    return {
        "grace": grace,
        "punctuality": punctuality,
        "punctuality_chart": punctuality_chart,
        "pass_rows": pass_rows,
        "pass_chart": pass_chart,
    }


@supervisor_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    days = dash.DEFAULT_PERIOD
    if form.is_bound:
        if form.is_valid():
            days = form.cleaned_data["period"] or dash.DEFAULT_PERIOD
        else:
            messages.warning(
                request, _("统计期间只能选择近 30 天、近 90 天或近一年，已显示近 30 天。")
            )
    period = dash.period_ending(today, days)
    until = dash.due_soon_until(today)
    due_qs = dash.due_soon(user=user, today=today, until=until)
    due_rows = list(due_qs[:DUE_SOON_ROWS])
    due_count = due_qs.count()
    status = _status(user)
    by_channel = selectors.channel_counts(user=user)
    green = list(selectors.staff_queue(user=user).filter(green_channel=True)[:DUE_SOON_ROWS])
    return render(
        request,
        "permits/staff/dashboard.html",
        {
            "form": form,
            "period": period,
            "period_last_day": period.end - dt.timedelta(days=1),
            "previous_last_day": period.start - dt.timedelta(days=1),
            "figures": _figures(user, period),
            "trend": _trend(user, period),
            "brigades": _brigades(user, period),
            "status": status,
            "channel_rows": [{"channel": c, "count": by_channel.get(c.value, 0)} for c in Channel],
            "open_count": status["open_count"],
            "overdue_count": selectors.overdue_applications(user=user, today=today).count(),
            "proposals_count": dash.proposals_waiting(user=user),
            "due_rows": [
                {"application": a, "due_state": rules.due_state(a.next_due, today)}
                for a in due_rows
            ],
            "due_count": due_count,
            "due_until": until,
            "due_more": ngettext(
                "另有 %(n)d 件，见受理队列。",
                "另有 %(n)d 件，见受理队列。",
                due_count - len(due_rows),
            )
            % {"n": due_count - len(due_rows)}
            if due_count > len(due_rows)
            else "",
            "green_rows": [
                {"application": a, "due_state": rules.due_state(a.next_due, today)} for a in green
            ],
            **_prechecks(user, today),
        },
    )
