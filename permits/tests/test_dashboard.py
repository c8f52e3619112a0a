"""The supervisors' permits dashboard (issue 9): a period against the one before it, with the
boundaries of both; what falls due within the next 3 working days across a weekend and a
holiday; charts beside their tables; no table of zeros; a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from permits import selectors_dashboard as dash
from permits.models import PermitApplication
from permits.tests.factories import make_application
from permits.views.dashboard import Trend

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
# A Friday: the next 3 working days are Monday to Wednesday.
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=TZ)


def at(moment):
    return time_machine.travel(moment, tick=False)


def local(y, m, d, h=0, mi=0, s=0):
    return dt.datetime(y, m, d, h, mi, s, tzinfo=TZ)


def application(citizen, *, submitted, decided=None, due=None, status="submitted", **kw):
    app = make_application(citizen, status=status, with_materials=False, **kw)
    PermitApplication.objects.filter(pk=app.pk).update(
        submitted_at=submitted, decided_at=decided, decision_due=due
    )
    return app


# --- Trends in words ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "before", "text"),
    [
        (5, 5, "与上期持平（5）"),
        (0, 0, "与上期持平（0）"),
        (3, 0, "上期为 0，本期 3"),
        (6, 4, "比上期多 2（+50%）"),
        (1, 4, "比上期少 3（−75%）"),
        (0, 4, "比上期少 4（−100%）"),
    ],
)
def test_a_trend_is_said_in_words(now, before, text):
    trend = Trend("收到申请", now, before)
    assert trend.text == text
    assert trend.direction == ("flat" if now == before else "up" if now > before else "down")


# --- Periods --------------------------------------------------------------------------------------
def test_a_period_ends_today_and_the_previous_one_is_as_long_before_it():
    period = dash.period_ending(dt.date(2026, 12, 4), 30)
    assert (period.start, period.end) == (dt.date(2026, 11, 5), dt.date(2026, 12, 5))
    assert period.previous_start == dt.date(2026, 10, 6)
    prev_lo, lo, hi = period.bounds()
    assert (prev_lo, lo, hi) == (local(2026, 10, 6), local(2026, 11, 5), local(2026, 12, 5))


def test_figures_count_each_application_in_its_period_at_the_boundaries(citizen, supervisor):
    with at(FRIDAY):
        # This period: 2026-11-05 00:00 to today; the previous: 2026-10-06 to 11-04.
        application(citizen, submitted=local(2026, 11, 5, 0, 0, 0))  # first second: now
        application(citizen, submitted=local(2026, 12, 4, 9, 0), channel="window")  # now
        application(citizen, submitted=local(2026, 11, 4, 23, 59, 59))  # last second before
        application(citizen, submitted=local(2026, 10, 6, 0, 0, 0))  # before
        application(citizen, submitted=local(2026, 10, 5, 23, 59, 59))  # outside both
        application(citizen, submitted=local(2026, 11, 6), status="draft")  # a draft: never
        # Decided this period: on the due date (on time), a day late, and one refused early.
        application(
            citizen,
            submitted=local(2026, 10, 1),
            decided=local(2026, 11, 20, 16, 0),
            due=dt.date(2026, 11, 20),
            status="approved",
        )
        application(
            citizen,
            submitted=local(2026, 10, 1),
            decided=local(2026, 11, 21, 9, 0),
            due=dt.date(2026, 11, 20),
            status="approved",
        )
        application(
            citizen,
            submitted=local(2026, 10, 1),
            decided=local(2026, 11, 10),
            due=dt.date(2026, 11, 30),
            status="rejected",
        )
        # Another brigade's: not in a brigade supervisor's figures.
        application(citizen, submitted=local(2026, 11, 20), brigade="LQ")
        figures = dash.period_figures(user=supervisor, period=dash.period_ending(FRIDAY.date(), 30))
    assert figures["now"] == {"received": 2, "window": 1, "decided": 3, "on_time": 2, "rejected": 1}
    assert figures["before"] == {
        "received": 2,
        "window": 0,
        "decided": 0,
        "on_time": 0,
        "rejected": 0,
    }


def test_the_daily_trend_groups_by_local_day(citizen, supervisor):
    with at(FRIDAY):
        # 23:30 local on Dec 1 is 15:30 UTC the same day; 00:30 local on Dec 2 is Dec 1 in UTC.
        application(citizen, submitted=local(2026, 12, 1, 23, 30))
        application(citizen, submitted=local(2026, 12, 2, 0, 30))
        application(citizen, submitted=local(2026, 12, 2, 10, 0))
        daily = dash.daily_received(user=supervisor, period=dash.period_ending(FRIDAY.date(), 30))
    assert daily == {dt.date(2026, 12, 1): 1, dt.date(2026, 12, 2): 2}


# --- Due within 3 working days --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "until"),
    [
        (dt.date(2026, 12, 4), dt.date(2026, 12, 9)),  # Friday → Wednesday
        (dt.date(2026, 12, 5), dt.date(2026, 12, 9)),  # Saturday → Wednesday
        (dt.date(2026, 12, 7), dt.date(2026, 12, 10)),  # Monday → Thursday
        # National Day: Oct 1–7 off, Oct 10 (Saturday) a make-up working day.
        (dt.date(2026, 9, 30), dt.date(2026, 10, 10)),
    ],
)
def test_due_soon_reaches_the_third_working_day(today, until):
    assert dash.due_soon_until(today) == until


def test_due_soon_lists_open_applications_up_to_that_day_and_not_the_overdue(citizen, supervisor):
    with at(FRIDAY):
        rows = {}
        for label, days in (("overdue", -1), ("today", 0), ("wednesday", 5), ("thursday", 6)):
            app = make_application(citizen, status="submitted", with_materials=False)
            PermitApplication.objects.filter(pk=app.pk).update(
                next_due=FRIDAY.date() + dt.timedelta(days=days)
            )
            rows[app.pk] = label
        closed = make_application(citizen, status="rejected", with_materials=False)
        PermitApplication.objects.filter(pk=closed.pk).update(next_due=FRIDAY.date())
        until = dash.due_soon_until(FRIDAY.date())
        found = dash.due_soon(user=supervisor, today=FRIDAY.date(), until=until)
        assert sorted(rows[a.pk] for a in found) == ["today", "wednesday"]


# --- The page -------------------------------------------------------------------------------------
def test_the_page_shows_charts_with_their_tables_and_the_period_compared(
    client_for, citizen, supervisor
):
    with at(FRIDAY):
        application(citizen, submitted=local(2026, 12, 1, 9, 0))
        application(citizen, submitted=local(2026, 10, 20, 9, 0))
        response = client_for(supervisor).get(reverse("permits:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    for chart_id in ("chart-period", "chart-trend", "chart-status", "chart-pass"):
        assert (
            f'id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
        )
    # Four charts, each beside its table (no punctuality chart: nobody attended yet).
    assert html.count("<svg") == 4
    for table in ("tbl-pd-period", "tbl-pd-trend", "tbl-pd-status", "tbl-pd-pass"):
        assert f'<caption id="{table}">' in html
    assert "本期 2026-11-05 至 2026-12-04，与上期 2026-10-06 至 2026-11-04 对比。" in html
    assert "与上期持平（1）" in html  # one received in each period
    # No table of zeros: closed statuses appear only where there are some.
    assert "不予受理" not in html.split('id="pd-status-h"')[1].split("</section>")[0]
    assert "chart-brigades" not in html  # the per-brigade figures are the detachment's


def test_a_longer_period_and_a_bad_one(client_for, citizen, supervisor, chief):
    with at(FRIDAY):
        application(citizen, submitted=local(2026, 3, 1, 9, 0))
        client = client_for(chief)
        year = client.get(reverse("permits:dashboard"), {"period": "365"})
        bad = client.get(reverse("permits:dashboard"), {"period": "7"}, follow=True)
    assert year.context["period"].days == 365
    assert year.context["figures"]["now"]["received"] == 1
    assert 'id="chart-brigades"' in year.content.decode()
    assert len(year.context["trend"]["rows"]) == 14  # four-week buckets (the last one short)
    assert bad.status_code == 200
    assert bad.context["period"].days == 30
    assert "统计期间只能选择" in bad.content.decode()


def test_the_page_costs_the_same_queries_for_any_period_and_any_number_of_rows(
    client_for, citizen, supervisor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("permits:dashboard")
    with at(FRIDAY):
        client = client_for(supervisor)
        client.get(url)  # warm the calendar cache and the session
        counts = []
        for batch in (1, 10):
            for n in range(batch):
                application(citizen, submitted=local(2026, 11, 10 + n % 20, 9, 0))
            for period in ("30", "365"):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url, {"period": period}).status_code == 200
                counts.append(len(queries))
    assert len(set(counts)) == 1, counts


# --- The overview panel (/overview/) --------------------------------------------------------------
def test_the_overview_shows_what_the_readme_promises(client_for, citizen, supervisor, inspector):
    from permits.tests.factories import make_slot

    with at(FRIDAY):
        soon = make_application(citizen, status="submitted", with_materials=False)
        PermitApplication.objects.filter(pk=soon.pk).update(next_due=dt.date(2026, 12, 9))
        application(citizen, submitted=local(2026, 12, 2, 9, 0))
        make_slot(inspector, starts_in=dt.timedelta(days=2))
        html = client_for(supervisor).get(reverse("core:overview")).content.decode()
        inspector_html = client_for(inspector).get(reverse("core:overview")).content.decode()
    panel = html.split('id="overview-permits"')[1].split("</section>")[0]
    assert "3 个工作日内到期（至 12月9日）" in panel
    assert "未来 7 天预约体检：1 个时段，空余" in panel
    assert "待审批的补充告知" in panel
    assert "近 30 天收件 2（上期 0），按期决定率 —" in panel
    assert reverse("permits:dashboard") not in inspector_html
    assert "3 个工作日内到期" in inspector_html


def test_the_overview_costs_the_same_queries_for_more_rows(client_for, citizen, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("core:overview")
    with at(FRIDAY):
        client = client_for(supervisor)
        client.get(url)
        counts = []
        for batch in (1, 8):
            for n in range(batch):
                application(citizen, submitted=local(2026, 11, 10 + n, 9, 0))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1], counts
