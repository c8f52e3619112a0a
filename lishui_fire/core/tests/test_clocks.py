"""Clock services (core.clocks): start, pause, resume, extend, switch rule, stop; reminders in the
ledger; the dashboard selector; recounting provisional clocks when a calendar year is published.

The subject is an organisation unit (any model will do); the rules are created here as data,
shaped like the coming apps' rules (fire investigation, DOMAIN.md §5.2; consultations).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from lishui_fire.core import calendar, clocks
from lishui_fire.core.errors import Conflict, DomainError, StaleState
from lishui_fire.core.models import (
    CalendarDay,
    CalendarYear,
    Clock,
    DeadlineRule,
    Reminder,
    StatusChange,
)

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def travel(*args):
    return time_machine.travel(at(*args), tick=False)


@pytest.fixture
def rules(db):
    def rule(code, count, unit, **kw):
        return DeadlineRule.objects.create(
            code=code,
            name=kw.pop("name", code),
            count=count,
            unit=unit,
            start_event=kw.pop("start_event", "接到火灾报警"),
            legal_basis=kw.pop("legal_basis", "《火灾事故调查规定》（测试）"),
            effective_from=D(2020, 1, 1),
            **kw,
        )

    return {
        "fire": rule(
            "test.fire.determination",
            30,
            "calendar_day",
            max_extensions=1,
            extension_count=30,
            target_count=20,
        ),
        "undisputed": rule("test.fire.undisputed", 20, "calendar_day"),
        "consultation": rule("test.consultation", 24, "hour", warn_before=4),
        "penalty": rule("test.penalty", 90, "calendar_day", max_extensions=2, extension_count=30),
        "licence": rule("test.licence", 20, "working_day", pauses_stop_clock=False),
    }


@pytest.fixture
def subject(org_units):
    return org_units["LD"]


def start(subject, code="test.fire.determination", when=None, **kw):
    return clocks.start_clock(
        subject=subject,
        milestone=kw.pop("milestone", "determination"),
        code=code,
        started_at=when or at(2026, 3, 2, 23, 50),
        brigade_id=kw.pop("brigade_id", subject.pk),
        **kw,
    )


def fresh(clock):
    return Clock.objects.get(pk=clock.pk)


def reminders(clock):
    return {
        r.milestone.rsplit("-", 1)[1]: (r.status, r.due_at)
        for r in Reminder.objects.filter(milestone__startswith=f"clock-{clock.pk}-")
    }


# --- Starting -----------------------------------------------------------------------------------------
def test_a_clock_is_a_row_with_its_due_date(rules, subject, inspector):
    with travel(2026, 3, 3, 9, 0):
        clock = start(subject, responsible=inspector, actor=inspector)
    assert clock.due_date == D(2026, 4, 1)
    assert clock.due_at == at(2026, 4, 2, 0, 0)
    assert not clock.provisional
    assert clock.status == "running"
    assert clock.subject == subject
    assert clock.brigade_id == subject.pk
    assert StatusChange.objects.filter(object_id=str(clock.pk), to_status="running").exists()
    assert reminders(clock) == {
        "warning": ("scheduled", at(2026, 3, 30, 9, 0)),
        "due": ("scheduled", at(2026, 4, 1, 9, 0)),
        "overdue": ("scheduled", at(2026, 4, 2, 9, 0)),
    }


def test_one_live_clock_per_subject_and_milestone(rules, subject):
    with travel(2026, 3, 3, 9, 0):
        first = start(subject)
        with pytest.raises(Conflict):
            start(subject)
        start(subject, milestone="service")  # another milestone is another clock
        clocks.stop_clock(clock=first, reason="已作出认定")
        again = start(subject)
    assert again.pk != first.pk


def test_a_24_hour_clock_runs_through_national_day(rules, subject, inspector):
    with travel(2026, 9, 30, 16, 0):
        clock = start(
            subject,
            code="test.consultation",
            when=at(2026, 9, 30, 16, 0),
            milestone="response",
            responsible=inspector,
        )
    assert clock.due_at == at(2026, 10, 1, 16, 0)
    assert clock.due_date == D(2026, 10, 1)
    assert reminders(clock) == {
        "warning": ("scheduled", at(2026, 10, 1, 12, 0)),
        "due": ("scheduled", at(2026, 10, 1, 16, 0)),
        "overdue": ("scheduled", at(2026, 10, 1, 16, 0)),
    }


def test_a_working_day_clock_into_a_year_without_data_is_provisional_until_published(
    rules, subject, django_capture_on_commit_callbacks
):
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    calendar.invalidate_calendar_cache()
    with travel(2026, 12, 10, 9, 0):
        clock = start(subject, code="test.licence", when=at(2026, 12, 10, 9, 0))
    assert clock.provisional
    with django_capture_on_commit_callbacks(execute=True):
        calendar.publish_calendar_year(
            2027, days=[(D(2027, 1, 1), False, "元旦")], source="通知（测试）"
        )
    clock = fresh(clock)
    assert not clock.provisional
    # Dec 11, 14–18, 21–25, 28–31 (15); Jan 1 a holiday; Jan 4–8: the 20th is Jan 8.
    assert clock.due_date == D(2027, 1, 8)


def test_the_internal_target_is_beside_the_statutory_date(rules, subject):
    with travel(2026, 3, 3, 9, 0):
        plain = start(subject)
        green = start(subject, milestone="green", with_target=True)
    assert plain.target_at is None
    assert green.due_date == plain.due_date == D(2026, 4, 1)
    assert green.target_date == D(2026, 3, 23)  # 20 days, Sunday 22 rolls to Monday


# --- Pauses ---------------------------------------------------------------------------------------------
def test_lab_time_is_not_counted(rules, subject, inspector):
    with travel(2026, 3, 10, 10, 0):
        clock = start(subject, responsible=inspector)
        pause = clocks.pause_clock(clock=clock, reason="物证送检", actor=inspector)
    clock = fresh(clock)
    assert clock.status == "paused"
    assert clock.due_at is None
    assert clock.due_date is None
    assert pause.reason == "物证送检"
    assert pause.actor == inspector
    # Nothing to remind of while nobody knows when it ends.
    assert {status for status, _ in reminders(clock).values()} == {"cancelled"}
    with travel(2026, 3, 17, 15, 0):
        clocks.resume_clock(clock=clock, actor=inspector)
    clock = fresh(clock)
    assert clock.status == "running"
    assert clock.due_date == D(2026, 4, 8)  # seven days later than Apr 1
    assert reminders(clock)["due"] == ("scheduled", at(2026, 4, 8, 9, 0))
    moves = list(
        StatusChange.objects.filter(object_id=str(clock.pk)).values_list("from_status", "to_status")
    )
    assert moves == [("", "running"), ("running", "paused"), ("paused", "running")]


def test_pauses_are_refused_when_they_make_no_sense(rules, subject):
    with travel(2026, 3, 10, 10, 0):
        clock = start(subject)
        with pytest.raises(ValidationError):
            clocks.pause_clock(clock=clock, reason="  ")
        with pytest.raises(ValidationError):
            clocks.pause_clock(clock=clock, reason="送检", at=at(2026, 3, 1, 9, 0))  # before start
        with pytest.raises(StaleState):
            clocks.resume_clock(clock=clock)  # not paused
        clocks.pause_clock(clock=clock, reason="送检")
        with pytest.raises(StaleState):
            clocks.pause_clock(clock=clock, reason="送检")
        licence = start(subject, code="test.licence", milestone="licence")
        with pytest.raises(DomainError):
            clocks.pause_clock(clock=licence, reason="送检")  # its rule does not pause
    with travel(2026, 4, 5, 9, 0):
        other = start(subject, milestone="late", when=at(2026, 3, 2, 9, 0))
        with pytest.raises(DomainError):
            clocks.pause_clock(clock=other, reason="送检")  # already run out


# --- Extensions -----------------------------------------------------------------------------------------
def test_one_extension_with_approval_then_no_more(rules, subject, inspector, chief):
    with travel(2026, 3, 20, 9, 0):
        clock = start(subject)
        extension = clocks.extend_clock(
            clock=clock, approver=chief, reason="案情复杂，经上级批准延长", actor=inspector
        )
        assert extension.size == 30
        assert fresh(clock).due_date == D(2026, 5, 6)  # May 1 + Labour Day holiday (1–5)
        with pytest.raises(DomainError, match="延长过"):
            clocks.extend_clock(clock=fresh(clock), approver=chief, reason="再延长")
    assert fresh(clock).extensions.count() == 1


def test_an_extension_after_the_clock_ran_out_is_refused(rules, subject, chief):
    with travel(2026, 4, 2, 0, 0):  # the midnight that ends Apr 1
        clock = start(subject)
        with pytest.raises(DomainError, match="已届满"):
            clocks.extend_clock(clock=clock, approver=chief, reason="延长")
        undisputed = start(subject, code="test.fire.undisputed", milestone="u")
        with pytest.raises(DomainError, match="不允许延长"):
            clocks.extend_clock(clock=undisputed, approver=chief, reason="延长")
    assert not clock.extensions.exists()


def test_a_rule_with_two_extensions_allows_two(rules, subject, chief):
    with travel(2026, 3, 20, 9, 0):
        clock = start(subject, code="test.penalty", milestone="penalty")
        for _ in range(2):
            clocks.extend_clock(clock=clock, approver=chief, reason="情节复杂")
        with pytest.raises(DomainError):
            clocks.extend_clock(clock=clock, approver=chief, reason="情节复杂")
    # Mar 2 + 90 + 60 = Jul 30.
    assert fresh(clock).due_date == D(2026, 7, 30)


# --- Switching the rule ---------------------------------------------------------------------------------
def test_an_undisputed_case_switches_to_20_days_and_back(rules, subject, inspector):
    from auditlog.models import LogEntry

    with travel(2026, 3, 5, 9, 0):
        clock = start(subject)
        with pytest.raises(ValidationError):
            clocks.switch_rule(clock=clock, code="test.fire.undisputed", reason="")
        clocks.switch_rule(
            clock=clock, code="test.fire.undisputed", reason="企业火灾，无争议", actor=inspector
        )
        assert fresh(clock).due_date == D(2026, 3, 23)  # Mar 22 is a Sunday
        clocks.switch_rule(
            clock=clock, code="test.fire.determination", reason="当事人提出异议", actor=inspector
        )
    assert fresh(clock).due_date == D(2026, 4, 1)
    switches = [
        entry
        for entry in LogEntry.objects.get_for_object(fresh(clock))
        if entry.action == LogEntry.Action.UPDATE and "rule" in entry.changes_dict
    ]
    assert len(switches) == 2
    assert {e.actor for e in switches} == {inspector}
    notes = StatusChange.objects.filter(object_id=str(clock.pk)).values_list("note", flat=True)
    assert any("无争议" in n for n in notes)
    assert any("异议" in n for n in notes)


# --- Stopping -------------------------------------------------------------------------------------------
def test_stopping_cancels_the_reminders_and_is_done_once(rules, subject, inspector):
    with travel(2026, 3, 10, 9, 0):
        clock = start(subject, responsible=inspector)
        clocks.pause_clock(clock=clock, reason="送检")
        clocks.stop_clock(clock=clock, reason="已作出火灾事故认定", actor=inspector)
        with pytest.raises(StaleState):
            clocks.stop_clock(clock=clock, reason="again")
        with pytest.raises(DomainError):
            clocks.extend_clock(clock=clock, approver=inspector, reason="延长")
    clock = fresh(clock)
    assert clock.status == "stopped"
    assert clock.outcome == "met"
    assert clock.stopped_at == at(2026, 3, 10, 9, 0)
    assert clock.pauses.get().ended_at == at(2026, 3, 10, 9, 0)
    assert {status for status, _ in reminders(clock).values()} == {"cancelled"}


# --- Followers ------------------------------------------------------------------------------------------
def test_a_clock_after_another_moves_with_it(rules, subject):
    with travel(2026, 3, 5, 9, 0):
        first = start(subject)
        then = start(subject, code="test.fire.undisputed", milestone="then", after=first)
        assert fresh(then).due_date == D(2026, 4, 21)  # Apr 1 + 20
        clocks.pause_clock(clock=first, reason="送检")
        assert fresh(then).due_date is None
    with travel(2026, 3, 8, 9, 0):
        clocks.resume_clock(clock=first)
    # Three days later: Saturday Apr 4, and Qingming (Apr 4–6) rolls it to Tuesday Apr 7.
    assert fresh(first).due_date == D(2026, 4, 7)
    assert fresh(then).due_date == D(2026, 4, 27)  # Apr 7 + 20


# --- The dashboard selector -----------------------------------------------------------------------------
@pytest.fixture
def board(rules, org_units):
    ld, lq = org_units["LD"], org_units["LQ"]
    made = {}
    with travel(2026, 3, 1, 9, 0):
        made["overdue"] = start(ld, milestone="a", when=at(2026, 1, 1, 9, 0))
        made["soon"] = start(ld, milestone="b", when=at(2026, 2, 1, 9, 0))  # due Mar 3
        made["later"] = start(ld, milestone="c", when=at(2026, 2, 20, 9, 0))
        made["target"] = start(  # target Feb 28 → Mar 2 missed on Mar 3, statutory Mar 23
            ld, milestone="d", when=at(2026, 2, 8, 9, 0), with_target=True
        )
        made["other"] = start(lq, milestone="a", when=at(2026, 1, 1, 9, 0), brigade_id=lq.pk)
        made["stopped"] = start(ld, milestone="e", when=at(2026, 1, 1, 9, 0))
        clocks.stop_clock(clock=made["stopped"])
    return made


def test_the_board_shows_overdue_due_soon_and_missed_targets_apart(board, inspector, chief):
    now = at(2026, 3, 3, 9, 0)
    mine = clocks.clocks_due_for_user(user=inspector, now=now)
    assert [c.pk for c in mine.overdue] == [board["overdue"].pk]
    assert [c.pk for c in mine.due_soon] == [board["soon"].pk]
    assert [c.pk for c in mine.target_missed] == [board["target"].pk]
    everything = clocks.clocks_due_for_user(user=chief, now=now)
    assert {c.pk for c in everything.overdue} == {board["overdue"].pk, board["other"].pk}


def test_the_board_is_one_query_whatever_the_rows(board, inspector, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = clocks.clocks_due_for_user(user=inspector, now=at(2026, 3, 3, 9, 0))
        for clock in result.overdue + result.due_soon + result.target_missed:
            str(clock.rule.name), str(clock.brigade), clock.content_type.model


def test_applicants_and_anonymous_see_no_clocks(board, citizen):
    assert clocks.clocks_due_for_user(user=citizen, now=at(2026, 3, 3)).overdue == []
    assert clocks.clocks_due_for_user(user=None, now=at(2026, 3, 3)).overdue == []


# --- Concurrency ----------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_extensions_at_once_where_the_rule_allows_one_grant_one_on_postgresql(
    rules, subject, chief
):
    """Two officers record the higher authority's approval at the same moment."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        from conftest import skip_or_fail

        skip_or_fail("row-level concurrency is tested on PostgreSQL")
    clock = start(subject, when=dt.datetime.now(tz=TZ) - dt.timedelta(days=3))
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            clocks.extend_clock(clock=clock, approver=chief, reason="案情复杂")
            outcomes.append("granted")
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == ["granted", "refused"]
    assert fresh(clock).extensions.count() == 1


# --- Admin ----------------------------------------------------------------------------------------------
def test_admin_lists_clocks_read_only_and_a_corrected_rule_recounts_them(
    rules, subject, client_for, administrator
):
    from django.urls import reverse

    with travel(2026, 3, 3, 9, 0):
        clock = start(subject)
        clocks.pause_clock(clock=clock, reason="物证送检")
        clocks.resume_clock(clock=clock)
    client = client_for(administrator)
    listing = client.get(reverse("admin:core_clock_changelist"))
    assert listing.status_code == 200
    page = client.get(reverse("admin:core_clock_change", args=[clock.pk])).content.decode()
    assert "物证送检" in page
    assert client.get(reverse("admin:core_clock_add")).status_code == 403

    rule = rules["fire"]
    url = reverse("admin:core_deadlinerule_change", args=[rule.pk])
    assert client.get(url).status_code == 200
    data = {
        "code": rule.code,
        "name": rule.name,
        "legal_basis": rule.legal_basis,
        "effective_from": "2020-01-01",
        "start_event": rule.start_event,
        "count": "31",  # a typo corrected
        "unit": "calendar_day",
        "roll_forward_if_rest_day": "on",
        "pauses_stop_clock": "on",
        "max_extensions": "1",
        "extension_count": "30",
        "target_count": "20",
        "warn_before": "2",
    }
    assert client.post(url, data).status_code == 302
    assert fresh(clock).due_date == D(2026, 4, 2)  # Mar 2 + 31
    data.update(max_extensions="1", extension_count="0")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "允许延长时，请填写每次延长的期限" in response.content.decode()


def test_the_nightly_catch_up_recounts_clocks_counted_before_the_latest_publication(rules, subject):
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    calendar.invalidate_calendar_cache()
    with travel(2026, 12, 10, 9, 0):
        clock = start(subject, code="test.licence", when=at(2026, 12, 10, 9, 0))
    assert clock.provisional
    assert clocks.recompute_provisional_clocks() == 0  # nothing published since
    with travel(2026, 12, 11, 9, 0):
        # Its after-commit recount never runs here, as when the broker was down at that moment.
        calendar.publish_calendar_year(2027, days=[(D(2027, 1, 1), False, "元旦")], source="通知")
    assert fresh(clock).provisional
    with travel(2026, 12, 12, 2, 30):
        assert clocks.recompute_provisional_clocks() == 1
    assert not fresh(clock).provisional
    assert fresh(clock).due_date == D(2027, 1, 8)


def test_clock_reminders_are_keyed_by_subject_and_rendered_when_sent(rules, subject, inspector):
    from django.utils import translation

    from lishui_fire.core.reminders import cancel_reminders_for, render_reminder

    with travel(2026, 3, 3, 9, 0):
        clock = start(subject, responsible=inspector)
    reminder = Reminder.objects.get(milestone=f"clock-{clock.pk}-determination-warning")
    assert reminder.content_type.model_class() is type(subject)
    assert reminder.object_id == str(subject.pk)
    with translation.override("en"):  # whoever started it: the recipient's language decides
        _title, body = render_reminder(reminder)
    assert "test.fire.determination" in body
    assert "2026-04-01" in body
    # Cancelling every reminder of the case takes its clocks' reminders too.
    assert cancel_reminders_for(subject) == 3
