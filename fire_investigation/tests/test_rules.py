"""The pure rules of fire investigation at every combination and boundary (DOMAIN.md §5)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fire_investigation import rules
from fire_investigation.rules import (
    PROMISE_RULE,
    STATUTORY_RULE,
    ClockFacts,
    JurisdictionThresholds,
    Level,
    ReviewRefusal,
    Severity,
    SimpleFacts,
    SimpleRefusal,
)

D = dt.date


# --- Which clock ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("enterprise", "dispute", "criminal"), list(itertools.product([False, True], repeat=3))
)
def test_only_an_undisputed_enterprise_fire_without_criminal_liability_gets_the_promise(
    enterprise, dispute, criminal
):
    rule = rules.determination_rule(ClockFacts(enterprise, dispute, criminal))
    expected = PROMISE_RULE if enterprise and not dispute and not criminal else STATUTORY_RULE
    assert rule == expected


def test_a_dispute_arising_moves_a_promise_case_to_the_statutory_clock():
    before = ClockFacts(
        enterprise_involved=True, has_dispute=False, criminal_liability_suspected=False
    )
    after = ClockFacts(
        enterprise_involved=True, has_dispute=True, criminal_liability_suspected=False
    )
    assert rules.determination_rule(before) == PROMISE_RULE
    assert rules.determination_rule(after) == STATUTORY_RULE


# --- Jurisdiction --------------------------------------------------------------------------------------
LIMITS = JurisdictionThresholds(
    province_deaths=10,
    province_serious_injuries=20,
    province_households=50,
    detachment_deaths=1,
    detachment_serious_injuries=10,
    detachment_households=30,
)


@pytest.mark.parametrize(
    ("deaths", "injuries", "households", "level"),
    [
        (0, 0, 0, Level.BRIGADE),
        (0, 9, 29, Level.BRIGADE),  # each one below the detachment's threshold
        (1, 0, 0, Level.DETACHMENT),
        (0, 10, 0, Level.DETACHMENT),
        (0, 0, 30, Level.DETACHMENT),
        (9, 19, 49, Level.DETACHMENT),  # each one below the province's
        (10, 0, 0, Level.PROVINCE),
        (0, 20, 0, Level.PROVINCE),
        (0, 0, 50, Level.PROVINCE),
    ],
)
def test_jurisdiction_follows_the_most_severe_figure(deaths, injuries, households, level):
    assert rules.jurisdiction(Severity(deaths, injuries, households), LIMITS) == level


@given(
    st.integers(0, 30),
    st.integers(0, 40),
    st.integers(0, 100),
    st.integers(0, 30),
    st.integers(0, 40),
)
def test_more_casualties_never_lower_the_level(deaths, injuries, households, more_d, more_i):
    order = [Level.BRIGADE, Level.DETACHMENT, Level.PROVINCE]
    low = rules.jurisdiction(Severity(deaths, injuries, households), LIMITS)
    high = rules.jurisdiction(Severity(deaths + more_d, injuries + more_i, households), LIMITS)
    assert order.index(high) >= order.index(low)


# --- Simple procedure ----------------------------------------------------------------------------------
LIMIT = Decimal("10000")


def simple(**overrides):
    facts = {
        "deaths": 0,
        "injuries": 0,
        "direct_loss_yuan": Decimal("500"),
        "facts_disputed": False,
        "arson_suspected": False,
        **overrides,
    }
    return rules.simple_procedure_refusals(SimpleFacts(**facts), max_loss_yuan=LIMIT)


def test_a_small_undisputed_fire_without_casualties_may_use_the_simple_procedure():
    assert simple() == []


def test_a_loss_at_the_threshold_is_minor_and_one_yuan_above_is_not():
    assert simple(direct_loss_yuan=LIMIT) == []
    assert simple(direct_loss_yuan=LIMIT + 1) == [SimpleRefusal.LOSS_TOO_HIGH]
    assert simple(direct_loss_yuan=LIMIT + Decimal("0.01")) == [SimpleRefusal.LOSS_TOO_HIGH]


def test_a_loss_not_yet_estimated_is_not_minor():
    assert simple(direct_loss_yuan=None) == [SimpleRefusal.LOSS_UNKNOWN]


@pytest.mark.parametrize(
    ("overrides", "refusal"),
    [
        ({"deaths": 1}, SimpleRefusal.CASUALTIES),
        ({"injuries": 1}, SimpleRefusal.CASUALTIES),
        ({"facts_disputed": True}, SimpleRefusal.DISPUTED),
        ({"arson_suspected": True}, SimpleRefusal.ARSON_SUSPECTED),
    ],
)
def test_each_condition_alone_refuses_the_simple_procedure(overrides, refusal):
    assert simple(**overrides) == [refusal]


def test_every_failing_condition_is_named_at_once():
    assert simple(
        deaths=1, direct_loss_yuan=LIMIT * 2, facts_disputed=True, arson_suspected=True
    ) == [
        SimpleRefusal.CASUALTIES,
        SimpleRefusal.LOSS_TOO_HIGH,
        SimpleRefusal.DISPUTED,
        SimpleRefusal.ARSON_SUSPECTED,
    ]


def test_the_normal_procedure_needs_two_investigators_the_simple_one():
    assert rules.investigators_required(simple=True) == 1
    assert rules.investigators_required(simple=False) == 2


# --- Review --------------------------------------------------------------------------------------------
SERVED = D(2026, 3, 2)


def review(applied_on, **overrides):
    args = {
        "applied_on": applied_on,
        "served_on": SERVED,
        "window_days": 15,
        "is_party": True,
        "simple_procedure": False,
        "earlier_reviews": 0,
        **overrides,
    }
    return rules.review_refusals(**args)


def test_a_review_within_15_days_of_service_may_be_accepted():
    assert review(SERVED) == []
    assert review(SERVED + dt.timedelta(days=15)) == []  # the 15th day after service


def test_a_review_on_the_16th_day_after_service_is_late():
    assert review(SERVED + dt.timedelta(days=16)) == [ReviewRefusal.LATE]


def test_a_second_review_is_always_refused_even_in_time():
    assert review(SERVED + dt.timedelta(days=1), earlier_reviews=1) == [
        ReviewRefusal.ALREADY_REVIEWED
    ]


def test_a_simple_procedure_determination_is_never_reviewed():
    assert review(SERVED, simple_procedure=True) == [ReviewRefusal.SIMPLE_PROCEDURE]


def test_only_a_party_may_apply_and_only_after_service():
    assert review(SERVED, is_party=False) == [ReviewRefusal.NOT_A_PARTY]
    assert review(SERVED, served_on=None) == [ReviewRefusal.NOT_SERVED]


@given(st.integers(0, 60), st.integers(1, 30))
def test_in_time_exactly_up_to_the_window(after, window):
    refusals = review(SERVED + dt.timedelta(days=after), window_days=window)
    assert (ReviewRefusal.LATE in refusals) == (after > window)


# --- Service by public notice and loss declarations ----------------------------------------------------
def test_a_posted_letter_counts_as_served_twenty_days_later():
    assert rules.deemed_served_on(D(2026, 3, 2), notice_days=20) == D(2026, 3, 22)


def test_a_loss_is_declared_within_seven_days_of_the_fire_being_put_out():
    out = D(2026, 3, 2)
    assert rules.loss_declaration_in_time(declared_on=out, extinguished_on=out, window_days=7)
    assert rules.loss_declaration_in_time(
        declared_on=D(2026, 3, 9), extinguished_on=out, window_days=7
    )
    assert not rules.loss_declaration_in_time(
        declared_on=D(2026, 3, 10), extinguished_on=out, window_days=7
    )
    assert not rules.loss_declaration_in_time(
        declared_on=D(2026, 3, 1), extinguished_on=out, window_days=7
    )
