"""The visits' clocks at their boundaries, on the calendar's real holiday data (the State
Council's 2026 notice: National Day 1–7 October with 10 October a make-up working Saturday;
Spring Festival 15–23 February with 14 February a make-up working Saturday)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inspections.models import Inspection
from inspections.services import visits
from inspections.tests.visits_helpers import (
    add_finding,
    confirm_both,
    fresh,
    make_contact,
    make_inspection,
    make_officer,
    record,
)
from lishui_fire.core import clocks
from lishui_fire.core.models import DeadlineRule

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args: int):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


@pytest.fixture
def team(inspector, org_units):
    return [inspector, make_officer("LD", username="clock-partner")]


def ordered(team, *, visited: dt.datetime, rectify_by: dt.date) -> Inspection:
    inspection = make_inspection(team)
    add_finding(inspection, team[0])
    record(inspection, team[0], "ordered_to_correct", visited_at=visited, rectify_by=rectify_by)
    return confirm_both(inspection, *team)


def test_the_rules_are_data_with_their_legal_basis():
    for code, count in (
        ("inspection.deadline_notice", 3),
        ("inspection.recheck", 3),
        ("inspection_result_publication", 20),
    ):
        rule = DeadlineRule.objects.get(code=code)
        assert (rule.count, rule.unit) == (count, "working_day")
        assert "可信度" in rule.legal_basis
    assert "可信度 L" in DeadlineRule.objects.get(code="inspection_result_publication").legal_basis


# --- The deadline notice: within 3 working days of the visit ---------------------------------------
@pytest.mark.parametrize(
    ("served", "in_time"),
    [
        ((2026, 10, 9, 17, 0), True),
        # The 3rd working day is the make-up Saturday after National Day.
        ((2026, 10, 10, 23, 59), True),
        ((2026, 10, 11, 9, 0), False),
        ((2026, 10, 12, 9, 0), False),
    ],
)
def test_the_notice_is_due_on_the_third_working_day_across_national_day(team, served, in_time):
    with at(2026, 9, 30, 16, 0):
        inspection = ordered(
            team,
            visited=dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ),
            rectify_by=dt.date(2026, 11, 2),
        )
        clock = clocks.live_clock(inspection, "deadline_notice")
        assert clock.due_date == dt.date(2026, 10, 10)
        assert inspection.next_due == dt.date(2026, 10, 10)
    with at(*served):
        visits.serve_deadline_notice(inspection=fresh(inspection), actor=team[1])
    clock.refresh_from_db()
    assert clock.outcome == "met"
    assert (clock.stopped_at < clock.due_at) is in_time


def test_the_notice_clock_of_a_visit_before_spring_festival_skips_the_holiday(team):
    with at(2026, 2, 13, 18, 0):
        inspection = ordered(
            team, visited=dt.datetime(2026, 2, 13, 9, 0, tzinfo=TZ), rectify_by=dt.date(2026, 3, 13)
        )
    # 14 February (a make-up Saturday) counts; 15–23 February do not.
    assert clocks.live_clock(inspection, "deadline_notice").due_date == dt.date(2026, 2, 25)


# --- The re-check: within 3 working days after the deadline or the request -------------------------
@pytest.mark.parametrize(
    ("deadline", "due"),
    [
        # Friday, the make-up Saturday, then Monday (Sunday does not count).
        (dt.date(2026, 10, 8), dt.date(2026, 10, 12)),
        # Spring Festival: the make-up Saturday 14 February, then 24 and 25 February.
        (dt.date(2026, 2, 13), dt.date(2026, 2, 25)),
        # An ordinary weekend: Friday's deadline, re-check by Wednesday.
        (dt.date(2026, 11, 27), dt.date(2026, 12, 2)),
    ],
)
def test_the_recheck_is_due_three_working_days_after_the_deadline(team, deadline, due):
    visited = dt.datetime.combine(deadline - dt.timedelta(days=20), dt.time(10), tzinfo=TZ)
    with at(*visited.timetuple()[:4]):
        inspection = ordered(team, visited=visited, rectify_by=deadline)
    recheck = Inspection.objects.get(follows=inspection)
    assert clocks.live_clock(recheck, "recheck").due_date == due
    assert fresh(recheck).next_due == due


def test_asking_before_the_deadline_brings_the_recheck_forward(team):
    with at(2026, 9, 25, 10, 0):
        inspection = ordered(
            team,
            visited=dt.datetime(2026, 9, 25, 9, 0, tzinfo=TZ),
            rectify_by=dt.date(2026, 10, 30),
        )
    contact = make_contact(inspection.enterprise)
    with at(2026, 9, 30, 20, 0):
        visits.request_recheck(fresh(inspection), contact)
    recheck = Inspection.objects.get(follows=inspection)
    # Asked on 30 September: 8, 9 and (the make-up Saturday) 10 October.
    assert clocks.live_clock(recheck, "recheck").due_date == dt.date(2026, 10, 10)


def test_asking_after_the_deadline_keeps_the_earlier_deadline_clock(team):
    with at(2026, 10, 20, 10, 0):
        inspection = ordered(
            team,
            visited=dt.datetime(2026, 10, 20, 9, 0, tzinfo=TZ),
            rectify_by=dt.date(2026, 10, 23),
        )
    contact = make_contact(inspection.enterprise)
    with at(2026, 10, 26, 9, 0):
        visits.request_recheck(fresh(inspection), contact)
    recheck = Inspection.objects.get(follows=inspection)
    assert clocks.live_clock(recheck, "recheck").due_date == dt.date(2026, 10, 28)


# --- Publication of a plan inspection's result -------------------------------------------------------
def test_the_publication_clock_counts_twenty_working_days_from_the_visit(team, supervisor):
    from inspections.models import InspectionPlan

    with at(2026, 9, 30, 16, 0):
        plan = InspectionPlan.objects.create(
            title="2026 年第三季度双随机抽查",
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 12, 31),
            created_by=supervisor,
        )
        inspection = make_inspection(team, kind="random", plan=plan)
        record(inspection, team[0], "no_problem", visited_at=dt.datetime(2026, 9, 30, 9, tzinfo=TZ))
        inspection = confirm_both(inspection, *team)
    clock = clocks.live_clock(inspection, "result_publication")
    assert clock.due_date == dt.date(2026, 11, 3)


# --- Reminders ---------------------------------------------------------------------------------
def test_the_lead_officer_is_reminded_before_on_and_after_the_notice_is_due(team):
    from lishui_fire.core.models import Reminder

    with at(2026, 9, 30, 16, 0):
        inspection = ordered(
            team,
            visited=dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ),
            rectify_by=dt.date(2026, 11, 2),
        )
    clock = clocks.live_clock(inspection, "deadline_notice")
    reminders = Reminder.objects.filter(key__contains=f"clock-{clock.pk}-")
    assert {r.recipient_id for r in reminders} == {team[0].pk}
    assert {r.message for r in reminders} == {
        "core.clock.warning",
        "core.clock.due",
        "core.clock.overdue",
    }
    with at(2026, 10, 9, 9, 0):
        visits.serve_deadline_notice(inspection=fresh(inspection), actor=team[0])
    assert not Reminder.objects.filter(
        key__contains=f"clock-{clock.pk}-", status=Reminder.Status.SCHEDULED
    ).exists()
