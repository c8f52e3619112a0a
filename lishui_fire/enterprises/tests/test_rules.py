"""The pure credit-grade rule (rules.py) at every boundary: the window, the thresholds, the caps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lishui_fire.enterprises.rules import Event, RuleSet, Weight, counts_on, propose_grade

TODAY = dt.date(2026, 12, 1)

# The provisional set of migration 0007, as plain data.
WEIGHTS = {
    "penalty": Weight("penalty", -10, "B"),
    "false_commitment": Weight("false_commitment", -30, "C"),
    "permit_revoked": Weight("permit_revoked", -30, "B"),
    "rectified_on_time": Weight("rectified_on_time", 2),
    "rectified_late": Weight("rectified_late", -10),
    "fire": Weight("fire", -20, "B"),
    "dishonesty_listed": Weight("dishonesty_listed", -40, "D"),
    "commendation": Weight("commendation", 10),
}
THRESHOLDS = [("A", 90), ("B", 70), ("C", 50), ("D", 0)]
RULES = RuleSet(base_score=80, lookback_days=730, weights=WEIGHTS, thresholds=THRESHOLDS)


def events(*kinds: str, on: dt.date = TODAY) -> list[Event]:
    return [Event(i, kind, on) for i, kind in enumerate(kinds, start=1)]


# --- The window -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days_ago", "counts"),
    [(-1, False), (0, True), (1, True), (729, True), (730, False), (731, False)],
)
def test_an_event_counts_from_today_back_to_the_day_after_the_window_start(days_ago, counts):
    day = TODAY - dt.timedelta(days=days_ago)
    assert counts_on(day, today=TODAY, lookback_days=730) is counts
    proposal = propose_grade([Event(1, "commendation", day)], RULES, today=TODAY)
    assert proposal.score == (90 if counts else 80)
    assert [f.kind for f in proposal.facts] == (["commendation"] if counts else [])


def test_a_one_day_window_counts_today_only():
    rules = RuleSet(base_score=80, lookback_days=1, weights=WEIGHTS, thresholds=THRESHOLDS)
    assert propose_grade(events("commendation"), rules, today=TODAY).score == 90
    yesterday = TODAY - dt.timedelta(days=1)
    assert propose_grade(events("commendation", on=yesterday), rules, today=TODAY).score == 80


# --- Thresholds -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (1000, "A"),
        (90, "A"),
        (89, "B"),
        (70, "B"),
        (69, "C"),
        (50, "C"),
        (49, "D"),
        (0, "D"),
        (-1, "D"),  # below every threshold: the worst grade
        (-1000, "D"),
    ],
)
def test_the_grade_is_the_best_whose_threshold_the_score_reaches(score, grade):
    assert RULES.grade_for_score(score) == grade
    rules = RuleSet(base_score=score, lookback_days=730, weights=WEIGHTS, thresholds=THRESHOLDS)
    assert propose_grade([], rules, today=TODAY).grade == grade


def test_thresholds_are_read_in_score_order_whatever_order_they_are_stored_in():
    shuffled = RuleSet(
        base_score=80,
        lookback_days=730,
        weights={},
        thresholds=[("C", 50), ("A", 90), ("D", 0), ("B", 70)],
    )
    assert shuffled.grades_best_first == ("A", "B", "C", "D")
    assert shuffled.grade_for_score(90) == "A"


def test_a_unit_with_an_empty_record_gets_the_base_score_grade():
    proposal = propose_grade([], RULES, today=TODAY)
    assert (proposal.grade, proposal.score, proposal.facts, proposal.capped_by) == ("B", 80, (), ())


# --- Points and caps ------------------------------------------------------------------------------
def test_points_add_up_per_event_and_each_kind_is_one_fact():
    proposal = propose_grade(
        events("rectified_on_time", "rectified_on_time", "rectified_late", "commendation"),
        RULES,
        today=TODAY,
    )
    assert proposal.score == 80 + 2 + 2 - 10 + 10
    facts = {f.kind: (f.count, f.points_each, f.points) for f in proposal.facts}
    assert facts == {
        "commendation": (1, 10, 10),
        "rectified_late": (1, -10, -10),
        "rectified_on_time": (2, 2, 4),
    }


def test_five_on_time_rectifications_earn_a_exactly_at_the_threshold():
    assert propose_grade(events(*["rectified_on_time"] * 4), RULES, today=TODAY).grade == "B"
    assert propose_grade(events(*["rectified_on_time"] * 5), RULES, today=TODAY).grade == "A"


@pytest.mark.parametrize(
    ("kind", "best"),
    [
        ("penalty", "B"),
        ("fire", "B"),
        ("permit_revoked", "B"),
        ("false_commitment", "C"),
        ("dishonesty_listed", "D"),
    ],
)
def test_a_capping_event_keeps_the_grade_at_most_its_best_grade_however_high_the_score(kind, best):
    many = ["commendation"] * 20
    proposal = propose_grade(events(kind, *many), RULES, today=TODAY)
    assert proposal.score >= 90  # the score alone would earn A
    assert proposal.score_grade == "A"
    assert proposal.grade == best
    assert proposal.capped_by == (kind,)


def test_a_cap_never_raises_a_grade_the_score_already_puts_lower():
    # Three penalties: 50 → C, below the penalty's cap B: the cap changes nothing.
    proposal = propose_grade(events("penalty", "penalty", "penalty"), RULES, today=TODAY)
    assert (proposal.score, proposal.grade, proposal.capped_by) == (50, "C", ())


def test_the_strictest_of_several_caps_wins():
    proposal = propose_grade(
        events("penalty", "false_commitment", *["commendation"] * 10), RULES, today=TODAY
    )
    assert proposal.grade == "C"
    assert set(proposal.capped_by) == {"penalty", "false_commitment"}


def test_an_outdated_capping_event_no_longer_caps():
    old = TODAY - dt.timedelta(days=730)
    proposal = propose_grade(
        [Event(1, "penalty", old), *events(*["commendation"] * 2)], RULES, today=TODAY
    )
    assert proposal.grade == "A"


def test_a_kind_without_a_weight_counts_nothing_but_is_shown():
    rules = RuleSet(base_score=80, lookback_days=730, weights={}, thresholds=THRESHOLDS)
    proposal = propose_grade(events("fire"), rules, today=TODAY)
    assert proposal.score == 80
    assert [(f.kind, f.count, f.points) for f in proposal.facts] == [("fire", 1, 0)]


def test_facts_name_the_events_they_come_from():
    proposal = propose_grade([Event(7, "fire", TODAY), Event(3, "fire", TODAY)], RULES, today=TODAY)
    assert proposal.facts[0].event_ids == (3, 7)


# --- A rule set that cannot work is refused ---------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"thresholds": []}, "at least one"),
        ({"thresholds": [("A", 90), ("A", 50)]}, "two thresholds"),
        ({"lookback_days": 0}, "lookback_days"),
        ({"weights": {"fire": Weight("fire", -20, "E")}}, "no threshold"),
    ],
)
def test_a_broken_rule_set_is_refused(kwargs, message):
    fields = {"base_score": 80, "lookback_days": 730, "weights": WEIGHTS, "thresholds": THRESHOLDS}
    with pytest.raises(ValueError, match=message):
        RuleSet(**{**fields, **kwargs})


# --- Properties -----------------------------------------------------------------------------------
KINDS = st.sampled_from(sorted(WEIGHTS))


@given(
    st.lists(st.tuples(KINDS, st.integers(min_value=-10, max_value=800)), max_size=30),
)
def test_the_proposal_is_a_grade_of_the_scale_and_never_better_than_a_cap_in_the_window(items):
    record = [Event(i, kind, TODAY - dt.timedelta(days=d)) for i, (kind, d) in enumerate(items)]
    proposal = propose_grade(record, RULES, today=TODAY)
    order = RULES.grades_best_first
    assert proposal.grade in order
    assert order.index(proposal.grade) >= order.index(proposal.score_grade)
    for event in record:
        best = WEIGHTS[event.kind].best_grade
        if best and counts_on(event.occurred_on, today=TODAY, lookback_days=730):
            assert order.index(proposal.grade) >= order.index(best)
    # The order of the record does not matter.
    assert propose_grade(list(reversed(record)), RULES, today=TODAY) == proposal


@given(st.lists(KINDS, max_size=10), KINDS)
def test_one_more_bad_event_never_improves_the_grade(kinds, extra):
    if WEIGHTS[extra].points > 0:
        return
    order = RULES.grades_best_first
    before = propose_grade(events(*kinds), RULES, today=TODAY).grade
    after = propose_grade(events(*kinds, extra), RULES, today=TODAY).grade
    assert order.index(after) >= order.index(before)
