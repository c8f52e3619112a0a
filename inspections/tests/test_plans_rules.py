"""The pure rules of the plans part: the class of a unit, the graded ratio and the A-grade cap."""

from decimal import Decimal

import pytest

from inspections import rules
from inspections.models import InspectionKind, VenueClass
from lishui_fire.enterprises.models import GATHERING_VENUE_TYPES, VenueType

K = InspectionKind


@pytest.mark.parametrize(
    "venue_type", sorted(GATHERING_VENUE_TYPES | {"entertainment", "hospital", "school"})
)
def test_a_key_unit_that_is_a_crowded_place_is_a_crowded_key_unit(venue_type):
    assert rules.venue_class(key_unit=True, venue_type=venue_type, penalised_last_year=False) == (
        VenueClass.CROWDED_KEY
    )


@pytest.mark.parametrize("venue_type", ["factory", "warehouse", "highrise", "other"])
def test_any_other_key_unit_is_an_other_key_unit(venue_type):
    assert rules.venue_class(key_unit=True, venue_type=venue_type, penalised_last_year=False) == (
        VenueClass.OTHER_KEY
    )


@pytest.mark.parametrize("venue_type", list(VenueType.values))
def test_a_unit_that_is_not_a_key_unit_is_general_whatever_its_venue(venue_type):
    assert rules.venue_class(key_unit=False, venue_type=venue_type, penalised_last_year=False) == (
        VenueClass.GENERAL
    )


@pytest.mark.parametrize("key_unit", [True, False])
@pytest.mark.parametrize("venue_type", ["restaurant", "factory"])
def test_a_unit_penalised_last_year_is_sampled_as_penalised_first(key_unit, venue_type):
    assert (
        rules.venue_class(key_unit=key_unit, venue_type=venue_type, penalised_last_year=True)
        == VenueClass.PENALISED
    )


def test_every_venue_type_is_either_crowded_or_not_and_the_crowded_set_is_documented():
    assert set(VenueType.values) >= rules.CROWDED_VENUE_TYPES
    assert GATHERING_VENUE_TYPES <= rules.CROWDED_VENUE_TYPES
    assert {"factory", "warehouse", "highrise", "other"}.isdisjoint(rules.CROWDED_VENUE_TYPES)


@pytest.mark.parametrize(
    ("base", "multiplier", "expected"),
    [
        ("0.10", "0.50", "0.0500"),
        ("0.10", "1.00", "0.1000"),
        ("0.10", "2.00", "0.2000"),
        ("0.60", "2.00", "1.0000"),  # never above 1
        ("0.50", "2.00", "1.0000"),  # exactly 1
        ("0.3333", "0.50", "0.1667"),  # half up at the fifth place
        ("0.10", "0.00", "0.0000"),
        ("0", "1.50", "0.0000"),
        ("1", "1", "1.0000"),
    ],
)
def test_graded_ratio_is_the_base_times_the_multiplier_capped_at_one(base, multiplier, expected):
    assert rules.graded_ratio(Decimal(base), Decimal(multiplier)) == Decimal(expected)


def test_graded_ratio_refuses_negative_numbers():
    with pytest.raises(ValueError):
        rules.graded_ratio(Decimal("-0.1"), Decimal(1))
    with pytest.raises(ValueError):
        rules.graded_ratio(Decimal("0.1"), Decimal("-1"))


def test_the_capped_kinds_are_the_planned_and_random_ones():
    assert {K.RANDOM, K.SPECIAL_CAMPAIGN, K.JOINT} == rules.CAPPED_KINDS


@pytest.mark.parametrize("kind", [K.COMPLAINT, K.PRE_OPENING, K.LARGE_EVENT, K.RECHECK, K.CASE])
@pytest.mark.parametrize("count", [0, 1, 2, 50])
def test_inspections_brought_about_by_something_are_never_blocked(kind, count):
    assert not rules.counts_toward_cap(kind)
    assert not rules.blocked_by_cap(kind=kind, cap=1, capped_this_year=count)
    assert not rules.blocked_by_cap(kind=kind, cap=0, capped_this_year=count)


@pytest.mark.parametrize("kind", sorted(rules.CAPPED_KINDS))
@pytest.mark.parametrize(
    ("cap", "count", "blocked"),
    [
        (1, 0, False),  # A: not yet inspected this year
        (1, 1, True),  # A: the one inspection of the year is done
        (1, 2, True),
        (2, 1, False),
        (2, 2, True),
        (0, 0, True),  # a grade never sampled
        (None, 0, False),  # no cap (B–D)
        (None, 99, False),
    ],
)
def test_the_cap_blocks_capped_kinds_once_reached(kind, cap, count, blocked):
    assert rules.cap_reached(cap=cap, capped_this_year=count) is blocked
    assert rules.blocked_by_cap(kind=kind, cap=cap, capped_this_year=count) is blocked


def test_only_capped_kinds_are_counted_toward_the_cap():
    assert rules.capped_count([]) == 0
    assert rules.capped_count([K.RANDOM, K.COMPLAINT, K.RECHECK, K.JOINT, K.CASE]) == 2
    assert rules.capped_count([K.SPECIAL_CAMPAIGN]) == 1
