"""An application's statutory dates are clocks (core.clocks): which run, which are met, which are
cancelled, as the application moves; the date columns follow them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lishui_fire.core import clocks
from permits.models import PermitApplication
from permits.services import applications as services
from permits.tests.factories import decide, make_application

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def states(application):
    return [
        (c.milestone, c.status, c.outcome or "open", c.due_date)
        for c in clocks.clocks_of(application)
    ]


def test_the_inspection_path_runs_one_clock_after_another(citizen, inspector):
    with at(2026, 11, 2, 9, 0):  # Monday
        application = services.submit_application(
            application=make_application(citizen, path="inspection"), actor=citizen
        )
        assert states(application) == [("acceptance", "running", "open", D(2026, 11, 9))]
        services.accept_application(application=fresh(application), actor=inspector)
    assert states(application) == [
        ("acceptance", "stopped", "met", D(2026, 11, 9)),
        ("inspection", "running", "open", D(2026, 11, 16)),
        # Not yet inspected: the latest lawful decision follows the inspection limit.
        ("decision", "running", "open", D(2026, 11, 19)),
    ]
    application = fresh(application)
    assert (application.accept_due, application.inspection_due, application.decision_due) == (
        D(2026, 11, 9),
        D(2026, 11, 16),
        D(2026, 11, 19),
    )
    assert application.next_due == D(2026, 11, 16)
    with at(2026, 11, 4, 10, 0):
        services.record_inspection(
            application=application, actor=inspector, passed=True, findings=""
        )
    application = fresh(application)
    assert application.decision_due == D(2026, 11, 9)  # 3 working days from the inspection
    assert application.next_due == D(2026, 11, 9)
    assert [s[:3] for s in states(application)][-2:] == [
        ("inspection", "stopped", "met"),
        ("decision", "running", "open"),
    ]
    with at(2026, 11, 5, 10, 0):
        decide(application, inspector)
    application = fresh(application)
    assert application.next_due is None
    assert application.decision_due == D(2026, 11, 9)  # the API's decision_due stays on record
    # Only the service of the permit document is owed now (行政许可法 art. 44).
    assert {(s[0], s[1]) for s in states(application) if s[1] != "stopped"} == {
        ("service", "running")
    }


def test_returning_the_file_cancels_the_clock_and_resubmission_starts_it_again(citizen, inspector):
    with at(2026, 11, 2, 9, 0):
        application = services.submit_application(
            application=make_application(citizen, path="inspection"), actor=citizen
        )
        services.return_application(
            application=fresh(application), actor=inspector, missing_items=["平面图"]
        )
    application = fresh(application)
    assert application.accept_due is None
    assert application.next_due is None
    assert states(application) == [("acceptance", "stopped", "cancelled", D(2026, 11, 9))]
    with at(2026, 11, 10, 9, 0):
        services.submit_application(application=application, actor=citizen)
    application = fresh(application)
    assert application.accept_due == D(2026, 11, 17)
    assert states(application)[-1] == ("acceptance", "running", "open", D(2026, 11, 17))


def test_the_board_shows_permit_clocks_of_the_brigade(citizen, inspector, other_inspector):
    with at(2026, 11, 2, 9, 0):
        application = services.submit_application(
            application=make_application(citizen, path="inspection"), actor=citizen
        )
    late = dt.datetime(2026, 11, 12, 9, 0, tzinfo=TZ)
    board = clocks.clocks_due_for_user(user=inspector, now=late)
    assert [(c.subject, c.milestone) for c in board.overdue] == [(application, "acceptance")]
    assert clocks.clocks_due_for_user(user=other_inspector, now=late).overdue == []


def test_the_handling_officer_is_reminded_before_on_and_after_the_inspection_date(
    citizen, inspector
):
    from lishui_fire.core.models import Reminder

    with at(2026, 11, 2, 9, 0):
        application = services.submit_application(
            application=make_application(citizen, path="inspection"), actor=citizen
        )
        services.accept_application(application=fresh(application), actor=inspector)
    inspection = clocks.live_clock(fresh(application), "inspection")
    due = {
        r.milestone.rsplit("-", 1)[1]: r.due_at
        for r in Reminder.objects.filter(
            milestone__startswith=f"clock-{inspection.pk}-", status="scheduled", recipient=inspector
        )
    }
    assert due == {
        "warning": dt.datetime(2026, 11, 14, 9, 0, tzinfo=TZ),
        "due": dt.datetime(2026, 11, 16, 9, 0, tzinfo=TZ),
        "overdue": dt.datetime(2026, 11, 17, 9, 0, tzinfo=TZ),
    }
    with at(2026, 11, 4, 10, 0):
        services.record_inspection(
            application=fresh(application), actor=inspector, passed=True, findings=""
        )
    assert not Reminder.objects.filter(
        milestone__startswith=f"clock-{inspection.pk}-", status="scheduled"
    ).exists()
