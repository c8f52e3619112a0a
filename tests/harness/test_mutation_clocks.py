"""core.clocks at the edges its own tests (core/tests/test_clocks.py) left open: the dashboard
selector's boundaries, scope and limit, and the recount of provisional clocks after a calendar
year is published (followers, a clock deleted meanwhile, a failing clock, the log, the cache).

Each test was written against mutants of `make mutation` that survived. The rules, the subject
and the helpers are those of core/tests/test_clocks.py.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.cache import cache

from lishui_fire.core import calendar, clocks
from lishui_fire.core.models import CalendarDay, CalendarYear, Clock
from lishui_fire.core.tests.test_clocks import at, board, fresh, rules, start, subject, travel

__all__ = ["board", "rules", "subject"]  # fixtures used by name below

pytestmark = pytest.mark.django_db

D = dt.date
TWO_DAYS = dt.timedelta(days=2)


# --- The board: boundaries -------------------------------------------------------------------------
@pytest.fixture
def targeted(rules, subject):
    """One fire determination clock with its internal target (20 days) and statutory date (30)."""
    with travel(2026, 2, 1, 9, 0):
        clock = start(subject, when=at(2026, 2, 1, 9, 0), with_target=True)
    clock = fresh(clock)
    assert clock.target_at < clock.due_at
    return clock


def board_at(user, now, **kw):
    result = clocks.clocks_due_for_user(user=user, now=now, **kw)
    return (
        [c.pk for c in result.overdue],
        [c.pk for c in result.due_soon],
        [c.pk for c in result.target_missed],
    )


def test_it_counts_a_clock_overdue_from_the_very_moment_it_runs_out(targeted, chief):
    overdue, due_soon, target_missed = board_at(chief, targeted.due_at)
    assert overdue == [targeted.pk]
    assert due_soon == []
    assert target_missed == []  # overdue wins: a missed target is not shown twice


def test_it_counts_a_clock_due_soon_up_to_the_end_of_the_window(targeted, chief):
    now = targeted.due_at - TWO_DAYS
    assert board_at(chief, now)[1] == [targeted.pk]
    assert board_at(chief, now - dt.timedelta(seconds=1))[1] == []
    assert board_at(chief, targeted.due_at - dt.timedelta(seconds=1))[1] == [targeted.pk]


def test_it_counts_a_target_missed_from_the_moment_it_passes(targeted, chief):
    assert board_at(chief, targeted.target_at)[2] == [targeted.pk]
    assert board_at(chief, targeted.target_at - dt.timedelta(seconds=1))[2] == []


def test_it_keeps_only_the_milestones_asked_for(board, chief):
    overdue, _soon, _missed = board_at(chief, at(2026, 3, 3, 9, 0), milestones=["a"])
    assert set(overdue) == {board["overdue"].pk, board["other"].pk}
    assert board_at(chief, at(2026, 3, 3, 9, 0), milestones=["b"])[:1] == ([],)
    assert board_at(chief, at(2026, 3, 3, 9, 0), milestones=["b"])[1] == [board["soon"].pk]


def test_it_lists_the_most_overdue_first_whatever_the_order_of_creation(rules, subject, chief):
    with travel(2026, 3, 1, 9, 0):
        recent = start(subject, milestone="x", when=at(2026, 1, 20, 9, 0))
        oldest = start(subject, milestone="y", when=at(2026, 1, 2, 9, 0))
    assert recent.pk < oldest.pk
    assert board_at(chief, at(2026, 3, 3, 9, 0))[0] == [oldest.pk, recent.pk]


def test_it_shows_the_legal_officer_the_brigades_clocks_and_the_discipline_officer_none(
    board, legal_officer, discipline_officer
):
    now = at(2026, 3, 3, 9, 0)
    assert board_at(legal_officer, now)[0] == [board["overdue"].pk]
    assert board_at(discipline_officer, now) == ([], [], [])


def test_it_caps_the_board_at_two_hundred_rows(rules, subject, chief):
    from django.contrib.contenttypes.models import ContentType

    started = at(2026, 1, 1, 9, 0)
    Clock.objects.bulk_create(
        Clock(
            content_type=ContentType.objects.get_for_model(subject),
            object_id=str(subject.pk),
            milestone=f"m{i}",
            rule=rules["fire"],
            brigade=subject,
            started_at=started,
            due_at=started + dt.timedelta(days=30, minutes=i),
            due_date=D(2026, 1, 31),
        )
        for i in range(201)
    )
    assert len(clocks.clocks_due_for_user(user=chief, now=at(2026, 3, 3)).overdue) == 200
    assert len(clocks.clocks_due_for_user(user=chief, now=at(2026, 3, 3), limit=7).overdue) == 7


# --- Recounting provisional clocks ---------------------------------------------------------------
@pytest.fixture
def no_2027():
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    calendar.invalidate_calendar_cache()


def provisional_clock(subject, milestone, **kw):
    """Twenty working days from 10 December 2026: into 2027, unpublished, so provisional."""
    with travel(2026, 12, 10, 9, 0):
        clock = start(
            subject, code="test.licence", milestone=milestone, when=at(2026, 12, 10, 9, 0), **kw
        )
    assert fresh(clock).provisional
    return clock


NOTICE_2027 = [(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 4), False, "元旦（测试）")]


def publish_2027():
    """A test notice: Monday 4 January off as well, so a stand-in date moves by a day."""
    with travel(2026, 12, 11, 9, 0):
        calendar.publish_calendar_year(2027, days=NOTICE_2027, source="通知")
    calendar.invalidate_calendar_cache()  # its after-commit bump does not run inside a test


def test_it_recounts_nothing_and_says_so_before_any_year_is_published(rules, subject):
    provisional_clock(subject, "a")
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    assert clocks.recompute_provisional_clocks() == 0


def test_it_goes_on_after_a_follower_its_leader_already_recounted(rules, subject, no_2027):
    leader = provisional_clock(subject, "a")
    follower = provisional_clock(subject, "b", after=leader)
    later = provisional_clock(subject, "c")
    assert leader.pk < follower.pk < later.pk
    publish_2027()
    # The leader's recount recounts its follower; the follower is then skipped, not counted twice.
    assert clocks.recompute_provisional_clocks(2027) == 2
    assert [fresh(c).provisional for c in (leader, follower, later)] == [False, False, False]


def test_it_goes_on_after_a_clock_deleted_while_it_ran(rules, subject, no_2027, monkeypatch):
    first, gone, last = (provisional_clock(subject, m) for m in ("a", "b", "c"))
    publish_2027()
    recount = clocks._recount

    def recount_and_delete(clock, **kw):
        if clock.pk == first.pk:  # someone deletes the next one meanwhile
            Clock.objects.filter(pk=gone.pk).delete()
        return recount(clock, **kw)

    monkeypatch.setattr(clocks, "_recount", recount_and_delete)
    assert clocks.recompute_provisional_clocks(2027) == 2
    assert not fresh(last).provisional


def test_it_logs_the_clock_that_failed_and_the_count_of_the_others(
    rules, subject, no_2027, monkeypatch, caplog
):
    first, broken, last = (provisional_clock(subject, m) for m in ("a", "b", "c"))
    publish_2027()
    recount = clocks._recount

    def fail_for_one(clock, **kw):
        if clock.pk == broken.pk:
            raise RuntimeError("disk full")
        return recount(clock, **kw)

    monkeypatch.setattr(clocks, "_recount", fail_for_one)
    with caplog.at_level(logging.INFO, logger="lishui_fire.core.clocks"):
        assert clocks.recompute_provisional_clocks(2027) == 2
    messages = [r.getMessage() for r in caplog.records if r.name == "lishui_fire.core.clocks"]
    assert f"clock {broken.pk} not recomputed after publishing 2027" in messages
    assert "recomputed 2 provisional clock(s) after publishing 2027" in messages
    assert [fresh(c).provisional for c in (first, broken, last)] == [False, True, False]


def test_it_writes_the_recounted_dates_into_the_subjects_columns(
    inspector, citizen, rules, no_2027
):
    from permits.tests.factories import make_application

    application = make_application(citizen)
    with travel(2026, 12, 10, 9, 0):
        clock = clocks.start_clock(
            subject=application,
            milestone="decision",
            code="test.licence",
            started_at=at(2026, 12, 10, 9, 0),
            brigade_id=application.brigade_id,
            is_next=True,
        )
    application.refresh_from_db()
    assert (application.decision_due, application.due_provisional) == (D(2027, 1, 8), True)
    publish_2027()
    assert clocks.recompute_provisional_clocks(2027) == 1
    application.refresh_from_db()
    assert application.decision_due == fresh(clock).due_date == D(2027, 1, 11)
    assert application.next_due == D(2027, 1, 11)
    assert application.due_provisional is False


def test_it_refreshes_the_calendar_cache_only_in_the_nightly_catch_up(rules, subject, no_2027):
    provisional_clock(subject, "a")
    version = cache.get(calendar.VERSION_KEY)
    assert clocks.recompute_provisional_clocks() == 0  # nothing published since: nothing to do
    assert cache.get(calendar.VERSION_KEY) == version
    publish_2027()
    version = cache.get(calendar.VERSION_KEY)
    provisional = fresh(Clock.objects.get(milestone="a"))
    assert provisional.provisional
    # After a publication the door bumped the version itself: the recount does not again.
    clocks.recompute_provisional_clocks(2027)
    assert cache.get(calendar.VERSION_KEY) == version


def test_the_nightly_catch_up_refreshes_the_calendar_cache_first(rules, subject, no_2027):
    provisional_clock(subject, "a")
    with travel(2026, 12, 11, 9, 0):
        calendar.publish_calendar_year(2027, days=NOTICE_2027, source="通知")
    version = cache.get(calendar.VERSION_KEY)  # the publication's own bump was lost
    with travel(2026, 12, 12, 2, 30):
        assert clocks.recompute_provisional_clocks() == 1
    assert cache.get(calendar.VERSION_KEY) != version
    assert not fresh(Clock.objects.get(milestone="a")).provisional


def test_it_recounts_a_follower_in_a_constant_number_of_queries(
    rules, subject, no_2027, django_assert_num_queries
):
    """The recount reads each clock with its rule and its leader in one query."""
    with travel(2026, 11, 20, 9, 0):
        leader = start(subject, code="test.licence", milestone="a", when=at(2026, 11, 20, 9, 0))
        follower = start(
            subject, code="test.licence", milestone="b", when=at(2026, 11, 20, 9, 0), after=leader
        )
    assert not fresh(leader).provisional
    assert fresh(follower).provisional
    publish_2027()
    # Pinned: one more means the clock's rule or its leader is fetched on its own.
    with django_assert_num_queries(19):
        assert clocks.recompute_provisional_clocks(2027) == 1


# --- Finding and refusing ----------------------------------------------------------------------
def test_it_says_why_a_stopped_clock_cannot_be_paused(rules, subject):
    from lishui_fire.core.errors import DomainError

    with travel(2026, 3, 3, 9, 0):
        clock = start(subject)
        clocks.stop_clock(clock=clock)
        with pytest.raises(DomainError, match=r"^该时限已结束计时。$"):
            clocks.switch_rule(clock=clock, code="test.fire.undisputed", reason="无争议")


def test_it_finds_the_live_clock_of_this_subject_only(rules, org_units, citizen):
    from permits.tests.factories import make_application

    ld, lq = org_units["LD"], org_units["LQ"]
    application = make_application(citizen)
    with travel(2026, 3, 3, 9, 0):
        mine = start(ld, milestone="m")
        other_unit = start(lq, milestone="m", brigade_id=lq.pk)
        # Another model whose row has the same primary key as the brigade.
        same_pk = clocks.start_clock(
            subject=application,
            milestone="m",
            code="test.fire.determination",
            started_at=at(2026, 3, 3, 9, 0),
            brigade_id=ld.pk,
        )
    assert clocks.live_clock(ld, "m").pk == mine.pk
    assert clocks.live_clock(lq, "m").pk == other_unit.pk
    assert clocks.live_clock(application, "m").pk == same_pk.pk
    assert clocks.live_clock(ld, "other") is None


def test_it_reads_the_live_clock_with_its_rule_in_one_query(
    rules, subject, django_assert_num_queries
):
    with travel(2026, 3, 3, 9, 0):
        start(subject, milestone="m")
    clocks.live_clock(subject, "m")  # the content type is cached from now on
    with django_assert_num_queries(1):
        assert clocks.live_clock(subject, "m").rule.code == "test.fire.determination"


def test_it_recounts_and_mirrors_every_clock_of_a_corrected_rule(rules, subject, citizen):
    from permits.tests.factories import make_application

    application = make_application(citizen)
    with travel(2026, 3, 3, 9, 0):
        on_brigade = start(subject, milestone="a", when=at(2026, 3, 2, 9, 0))
        on_application = clocks.start_clock(
            subject=application,
            milestone="decision",
            code="test.fire.determination",
            started_at=at(2026, 3, 2, 9, 0),
            brigade_id=application.brigade_id,
        )
        start(subject, code="test.fire.undisputed", milestone="b")  # another rule: not recounted
    application.refresh_from_db()
    assert application.decision_due == D(2026, 4, 1)
    rule = rules["fire"]
    rule.count = 10  # corrected in the admin
    rule.save()
    assert clocks.recount_clocks_of_rule(rule=rule) == 2
    assert fresh(on_brigade).due_date == D(2026, 3, 12)
    assert fresh(on_application).due_date == D(2026, 3, 12)
    application.refresh_from_db()
    assert application.decision_due == D(2026, 3, 12)


def test_it_recounts_a_rules_clocks_reading_each_with_its_rule(
    rules, subject, django_assert_num_queries
):
    with travel(2026, 3, 3, 9, 0):
        start(subject, milestone="a", when=at(2026, 3, 2, 9, 0))
    # Pinned: one more means the rule is fetched on its own for each clock.
    # Warm caches first (the calendar's, shared on Redis in CI, and the content types'), so the
    # count does not depend on what earlier tests left there: CI counted 14 where a lone run
    # counted 16.
    assert clocks.recount_clocks_of_rule(rule=rules["fire"]) == 1
    with django_assert_num_queries(14):
        assert clocks.recount_clocks_of_rule(rule=rules["fire"]) == 1


# --- Reasons, reminders' text, reading a subject's clocks, mirroring ----------------------------
def test_it_refuses_a_pause_without_a_reason_on_the_reason_field(rules, subject):
    from django.core.exceptions import ValidationError

    with travel(2026, 3, 3, 9, 0):
        clock = start(subject)
        with pytest.raises(ValidationError) as refused:
            clocks.pause_clock(clock=clock, reason="   ")
    assert refused.value.message_dict == {"reason": ["请写明理由。"]}
    assert refused.value.error_dict["reason"][0].code == "clock_reason"


def test_it_keeps_the_first_255_characters_of_a_reason(rules, subject):
    with travel(2026, 3, 3, 9, 0):
        clock = start(subject)
        pause = clocks.pause_clock(clock=clock, reason="化" * 300)
    assert pause.reason == "化" * 255


def test_it_writes_an_hour_clocks_due_moment_into_its_reminders(rules, subject, inspector):
    from lishui_fire.core.models import Reminder

    with travel(2026, 3, 3, 9, 0):
        clock = start(
            subject,
            code="test.consultation",
            milestone="answer",
            when=at(2026, 3, 3, 9, 0),
            responsible=inspector,
        )
    reminder = Reminder.objects.get(milestone=f"clock-{clock.pk}-answer-due")
    assert reminder.params["due"] == "2026-03-04 09:00"


def test_local_midnight_is_the_start_of_the_day_in_lishui():
    assert clocks.local_midnight(D(2026, 3, 2)) == at(2026, 3, 2, 0, 0)


def test_it_lists_the_clocks_of_this_subject_only_with_their_rules(
    rules, org_units, citizen, django_assert_num_queries
):
    from permits.tests.factories import make_application

    ld, lq = org_units["LD"], org_units["LQ"]
    application = make_application(citizen)
    with travel(2026, 3, 3, 9, 0):
        first = start(ld, milestone="a")
        clocks.stop_clock(clock=first)
        second = start(ld, milestone="a")
        start(lq, milestone="a", brigade_id=lq.pk)
        clocks.start_clock(
            subject=application,
            milestone="a",
            code="test.fire.determination",
            started_at=at(2026, 3, 3, 9, 0),
            brigade_id=ld.pk,
        )
    list(clocks.clocks_of(ld))  # the content type is cached from now on
    with django_assert_num_queries(1):
        listed = [(c.pk, c.rule.code) for c in clocks.clocks_of(ld)]
    assert listed == [(first.pk, "test.fire.determination"), (second.pk, "test.fire.determination")]


def test_mirror_subject_refreshes_the_columns_and_the_object_in_hand(rules, citizen, org_units):
    from permits.models import PermitApplication
    from permits.tests.factories import make_application

    application = make_application(citizen)
    with travel(2026, 3, 3, 9, 0):
        clocks.start_clock(
            subject=application,
            milestone="decision",
            code="test.fire.determination",
            started_at=at(2026, 3, 2, 9, 0),
            brigade_id=application.brigade_id,
            is_next=True,
        )
    PermitApplication.objects.filter(pk=application.pk).update(
        decision_due=None, next_due=None, due_provisional=True
    )
    application.decision_due = application.next_due = D(2000, 1, 1)
    clocks.mirror_subject(application)
    assert (application.decision_due, application.next_due) == (D(2026, 4, 1), D(2026, 4, 1))
    assert application.due_provisional is False
    stored = PermitApplication.objects.values("decision_due", "next_due").get(pk=application.pk)
    assert stored == {"decision_due": D(2026, 4, 1), "next_due": D(2026, 4, 1)}
    clocks.mirror_subject(org_units["LD"])  # a subject without columns: nothing to do


def test_a_change_by_someone_not_signed_in_records_no_person(rules, subject):
    from django.contrib.auth.models import AnonymousUser

    with travel(2026, 3, 3, 9, 0):
        clock = start(subject)
        pause = clocks.pause_clock(clock=clock, reason="送检", actor=AnonymousUser())
    assert pause.actor is None


def test_it_stops_a_clock_reading_it_with_its_rule_in_one_query(
    rules, subject, django_assert_num_queries
):
    with travel(2026, 3, 3, 9, 0):
        clock = start(subject)
        # Pinned: one more means the locked row's rule is fetched on its own.
        with django_assert_num_queries(13):
            clocks.stop_clock(clock=clock)
