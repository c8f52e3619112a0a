"""The intake part's pure rules: the clock a complaint's category sets, counted at its boundaries
from the seeded rule rows (24 hours run through National Day, 3 working days skip it), the
A-grade cap ("无事不扰") for the kinds outside plans, and who speaks for a registered unit."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest

from inspections import rules
from inspections.models import ComplaintCategory, InspectionKind
from lishui_fire.core.clock_rules import RuleSpec, count_due

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
SEED = importlib.import_module("inspections.migrations.0003_seed_intake_rules")
KNOWN = ComplaintCategory.values


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


class NationalDay2026:
    """The 2026 notice around National Day: 1–7 October off, Sunday 20 September and
    Saturday 10 October worked (调休); otherwise Monday to Friday."""

    OFF = {D(2026, 10, d) for d in range(1, 8)}
    WORKED = {D(2026, 9, 20), D(2026, 10, 10)}

    def is_workday(self, day: dt.date) -> bool:
        if day in self.OFF:
            return False
        return day in self.WORKED or day.weekday() < 5

    def is_provisional(self, day: dt.date) -> bool:
        return False


def seeded_spec(code: str) -> RuleSpec:
    """The counting fields of the seeded row (the data migration), as the kernel counts them."""
    row = next(r for r in SEED.RULES if r[0] == code)
    _, _, count, unit, *_ = row
    return RuleSpec(unit=unit, count=count)


def due(category: str, received: dt.datetime) -> dt.datetime:
    spec = seeded_spec(rules.complaint_clock_rule(category, known=KNOWN))
    result = count_due(spec, start=received, calendar=NationalDay2026(), tz=TZ)
    assert result.due_at is not None
    return result.due_at


# --- Which clock ---------------------------------------------------------------------------------
@pytest.mark.parametrize("category", ["evacuation_blocked", "exit_locked", "facilities_off"])
def test_it_gives_evacuation_exit_and_facility_complaints_the_24_hour_clock(category):
    assert rules.complaint_clock_rule(category, known=KNOWN) == rules.COMPLAINT_URGENT_RULE


def test_it_gives_every_other_complaint_the_3_working_day_clock():
    assert rules.complaint_clock_rule("other", known=KNOWN) == rules.COMPLAINT_ORDINARY_RULE


def test_every_category_of_the_register_has_a_clock():
    codes = {rules.complaint_clock_rule(c, known=KNOWN) for c in KNOWN}
    assert codes == {rules.COMPLAINT_URGENT_RULE, rules.COMPLAINT_ORDINARY_RULE}
    assert set(KNOWN) > rules.URGENT_COMPLAINT_CATEGORIES


@pytest.mark.parametrize("category", ["", "EVACUATION_BLOCKED", "unknown"])
def test_an_unknown_category_is_an_error_not_the_slower_clock(category):
    with pytest.raises(ValueError):
        rules.complaint_clock_rule(category, known=KNOWN)


def test_the_seeded_rules_are_24_hours_and_3_working_days_with_their_basis():
    by_code = {r[0]: r for r in SEED.RULES}
    assert by_code[rules.COMPLAINT_URGENT_RULE][2:4] == (24, "hour")
    assert by_code[rules.COMPLAINT_ORDINARY_RULE][2:4] == (3, "working_day")
    assert all("消防监督检查规定" in r[-1] and "第十五条" in r[-1] for r in SEED.RULES)


# --- Counting at the boundaries -------------------------------------------------------------------
def test_a_24_hour_clock_across_national_day_runs_through_the_holiday():
    assert due("exit_locked", at(2026, 9, 30, 16, 0)) == at(2026, 10, 1, 16, 0)
    assert due("facilities_off", at(2026, 10, 3, 23, 30)) == at(2026, 10, 4, 23, 30)


def test_a_24_hour_clock_received_just_before_midnight_ends_just_before_midnight():
    assert due("evacuation_blocked", at(2026, 9, 30, 23, 59)) == at(2026, 10, 1, 23, 59)


def test_a_3_working_day_clock_across_national_day_skips_it():
    # Received on the eve: 8, 9 October and the worked Saturday 10 October are the three days.
    assert due("other", at(2026, 9, 30, 10, 0)) == at(2026, 10, 11, 0, 0)


def test_a_3_working_day_clock_received_in_the_holiday_starts_counting_after_it():
    assert due("other", at(2026, 10, 1, 9, 0)) == at(2026, 10, 11, 0, 0)
    # Received on the last holiday: 8, 9, 10 October still.
    assert due("other", at(2026, 10, 7, 23, 59)) == at(2026, 10, 11, 0, 0)


def test_a_3_working_day_clock_does_not_count_the_day_it_was_received():
    # Monday 14 September 2026: Tuesday, Wednesday, Thursday.
    assert due("other", at(2026, 9, 14, 0, 1)) == at(2026, 9, 18, 0, 0)
    assert due("other", at(2026, 9, 14, 23, 59)) == at(2026, 9, 18, 0, 0)


def test_a_3_working_day_clock_counts_the_worked_sunday():
    # Friday 18 September: the worked Sunday 20th, Monday 21st, Tuesday 22nd.
    assert due("other", at(2026, 9, 18, 15, 0)) == at(2026, 9, 23, 0, 0)


# --- The cap ("无事不扰") ------------------------------------------------------------------------------
def test_every_kind_is_either_capped_or_never_capped():
    never = set(InspectionKind.values) - rules.CAPPED_KINDS
    assert never == {"complaint", "pre_opening", "large_event", "recheck", "case"}
    assert {"random", "special_campaign", "joint"} == rules.CAPPED_KINDS


@pytest.mark.parametrize("kind", ["special_campaign", "joint", "random"])
@pytest.mark.parametrize(
    ("cap", "counted", "blocked"),
    [(1, 0, False), (1, 1, True), (1, 2, True), (2, 1, False), (2, 2, True), (0, 0, True),
     (None, 0, False), (None, 50, False)],
)  # fmt: skip
def test_a_capped_kind_is_blocked_from_the_cap_on(kind, cap, counted, blocked):
    assert rules.blocked_by_cap(kind=kind, cap=cap, capped_this_year=counted) is blocked


@pytest.mark.parametrize("kind", ["complaint", "pre_opening", "large_event", "recheck", "case"])
@pytest.mark.parametrize(("cap", "counted"), [(1, 1), (1, 5), (0, 0)])
def test_a_kind_that_happens_because_something_happened_is_never_blocked(kind, cap, counted):
    assert not rules.counts_toward_cap(kind)
    assert not rules.blocked_by_cap(kind=kind, cap=cap, capped_this_year=counted)


# --- Who speaks for a unit -------------------------------------------------------------------------
UNIT = {"unit_uscc": "91331102MA2A00001X", "unit_phone": "13857801236"}


def test_the_account_with_the_units_code_and_its_registered_phone_speaks_for_it():
    assert rules.is_registered_contact(
        user_uscc="91331102ma2a00001x ", user_phone="13857801236", **UNIT
    )


@pytest.mark.parametrize(
    ("uscc", "phone"),
    [
        ("91331102MA2A00001X", "13857801237"),  # the code alone is public
        ("91331102MA2A00002X", "13857801236"),
        ("", "13857801236"),
        ("91331102MA2A00001X", ""),
    ],
)
def test_anyone_else_does_not(uscc, phone):
    assert not rules.is_registered_contact(user_uscc=uscc, user_phone=phone, **UNIT)


def test_a_unit_without_a_registered_phone_has_no_contact_online():
    assert not rules.is_registered_contact(
        user_uscc="91331102MA2A00001X",
        user_phone="",
        unit_uscc="91331102MA2A00001X",
        unit_phone="",
    )
