"""The visits part's pure rules at their boundaries: what a record must say before it can be
recorded, when a rectification counts as on time, two-person confirmation (DOMAIN.md §2.5) and
how a statutory date is flagged on the lists."""

from __future__ import annotations

import datetime as dt

import pytest

from inspections import rules_visits as r

VISIT = dt.date(2026, 10, 9)


def codes(**kwargs):
    base = {
        "result": r.NO_PROBLEM,
        "is_recheck": False,
        "visited_on": VISIT,
        "today": VISIT,
        "rectify_by": None,
        "findings": 0,
        "findings_not_corrected": 0,
    }
    base.update(kwargs)
    return [(p.field, p.code) for p in r.visit_problems(**base)]


def test_a_clean_visit_on_the_day_has_no_problem():
    assert codes() == []


@pytest.mark.parametrize(
    ("visited_on", "expected"),
    [
        (VISIT, []),
        (VISIT - dt.timedelta(days=1), []),
        (VISIT + dt.timedelta(days=1), [("visited_at", "future_visit")]),
    ],
)
def test_a_visit_cannot_be_in_the_future(visited_on, expected):
    assert codes(visited_on=visited_on, today=VISIT) == expected


@pytest.mark.parametrize("result", sorted(r.RESULTS_NEEDING_FINDINGS))
def test_a_result_with_problems_needs_at_least_one_finding(result):
    rectify = VISIT + dt.timedelta(days=10) if result == r.ORDERED_TO_CORRECT else None
    assert ("result", "needs_findings") in codes(result=result, rectify_by=rectify, findings=0)
    assert ("result", "needs_findings") not in codes(result=result, rectify_by=rectify, findings=1)


def test_no_problem_with_findings_is_a_contradiction():
    assert codes(findings=1) == [("result", "findings_but_no_problem")]
    assert codes(findings=0) == []


def test_corrected_on_the_spot_means_every_finding_corrected():
    assert codes(result=r.CORRECTED_ON_SPOT, findings=2, findings_not_corrected=0) == []
    assert codes(result=r.CORRECTED_ON_SPOT, findings=2, findings_not_corrected=1) == [
        ("result", "not_all_corrected")
    ]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (None, [("rectify_by", "rectify_by_missing")]),
        (-1, [("rectify_by", "rectify_by_not_after_visit")]),
        (0, [("rectify_by", "rectify_by_not_after_visit")]),
        (1, []),
        (r.MAX_RECTIFICATION_DAYS, []),
        (r.MAX_RECTIFICATION_DAYS + 1, [("rectify_by", "rectify_by_too_far")]),
    ],
)
def test_an_order_to_correct_needs_a_deadline_after_the_visit_and_within_bounds(days, expected):
    rectify_by = None if days is None else VISIT + dt.timedelta(days=days)
    assert codes(result=r.ORDERED_TO_CORRECT, findings=1, rectify_by=rectify_by) == expected


@pytest.mark.parametrize("result", [r.NO_PROBLEM, r.CORRECTED_ON_SPOT, r.FURTHER_ACTION])
def test_a_deadline_without_an_order_to_correct_is_refused(result):
    found = codes(
        result=result,
        findings=0 if result == r.NO_PROBLEM else 1,
        rectify_by=VISIT + dt.timedelta(days=5),
    )
    assert found == [("rectify_by", "rectify_by_not_ordered")]


def test_a_recheck_cannot_set_a_second_deadline():
    found = codes(
        result=r.ORDERED_TO_CORRECT,
        is_recheck=True,
        findings=1,
        rectify_by=VISIT + dt.timedelta(days=5),
    )
    assert ("result", "recheck_result") in found
    for result in sorted(r.RECHECK_RESULTS):
        assert ("result", "recheck_result") not in codes(
            result=result,
            is_recheck=True,
            findings=0 if result == r.NO_PROBLEM else 1,
            rectified_on=VISIT if r.recheck_passed(result) else None,
        )


def test_a_passed_recheck_needs_the_day_the_correction_was_finished():
    missing = codes(is_recheck=True)
    assert missing == [("rectified_on", "rectified_on_missing")]
    # the unit's online request for the re-check dates the correction instead
    assert codes(is_recheck=True, recheck_requested_on=VISIT - dt.timedelta(days=2)) == []
    assert codes(is_recheck=True, rectified_on=VISIT) == []
    # a failed re-check finished nothing
    assert codes(result=r.FURTHER_ACTION, is_recheck=True, findings=1) == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"is_recheck": True, "rectified_on": VISIT}, []),
        ({"is_recheck": True, "rectified_on": VISIT - dt.timedelta(days=3)}, []),
        (
            {"is_recheck": True, "rectified_on": VISIT + dt.timedelta(days=1)},
            [("rectified_on", "rectified_on_after_visit")],
        ),
        ({"rectified_on": VISIT}, [("rectified_on", "rectified_on_not_recheck")]),
        (
            {
                "is_recheck": True,
                "result": r.FURTHER_ACTION,
                "findings": 1,
                "rectified_on": VISIT,
            },
            [("rectified_on", "rectified_on_not_recheck")],
        ),
    ],
)
def test_the_day_of_correction_belongs_to_a_passed_recheck_and_not_after_it(kwargs, expected):
    assert codes(**kwargs) == expected


def test_only_no_problem_and_corrected_on_the_spot_pass_a_recheck():
    assert r.recheck_passed(r.NO_PROBLEM)
    assert r.recheck_passed(r.CORRECTED_ON_SPOT)
    assert not r.recheck_passed(r.FURTHER_ACTION)
    assert not r.recheck_passed(r.ORDERED_TO_CORRECT)
    assert not r.recheck_passed("")


def test_the_officers_day_comes_before_the_units_request():
    found = dt.date(2026, 10, 5)
    asked = dt.date(2026, 10, 7)
    assert r.rectification_day(rectified_on=found, recheck_requested_on=asked) == found
    assert r.rectification_day(rectified_on=None, recheck_requested_on=asked) == asked
    assert r.rectification_day(rectified_on=None, recheck_requested_on=None) is None


@pytest.mark.parametrize(
    ("done_offset", "passed", "on_time"),
    [
        (-1, True, True),
        (0, True, True),  # the deadline day itself counts
        (1, True, False),
        (None, True, False),
        (-1, False, False),  # a failed re-check is never on time
        (0, False, False),
    ],
)
def test_on_time_means_passed_and_done_by_the_deadline_day(done_offset, passed, on_time):
    deadline = dt.date(2026, 10, 31)
    done = None if done_offset is None else deadline + dt.timedelta(days=done_offset)
    assert r.rectified_on_time(rectify_by=deadline, done_on=done, passed=passed) is on_time


@pytest.mark.parametrize(
    ("confirmations", "confirmed"),
    [
        ([], False),
        ([True], False),  # one officer alone never suffices
        ([True, False], False),
        ([False, False], False),
        ([True, True], True),
        ([True, True, False], False),
        ([True, True, True], True),
    ],
)
def test_two_person_confirmation(confirmations, confirmed):
    assert r.both_confirmed(confirmations) is confirmed


def test_the_number_of_officers_required_is_a_parameter():
    assert r.both_confirmed([True, True], required=3) is False
    assert r.both_confirmed([True, True, True], required=3) is True
    assert r.both_confirmed(iter([True, True])) is True


@pytest.mark.parametrize(
    ("offset", "state"),
    [
        (None, ""),
        (-1, "overdue"),
        (0, "due_soon"),
        (1, "due_soon"),
        (2, "due_soon"),
        (3, ""),
    ],
)
def test_due_state_on_the_lists(offset, state):
    today = dt.date(2026, 12, 1)
    due = None if offset is None else today + dt.timedelta(days=offset)
    assert r.due_state(due, today) == state


def test_due_soon_window_is_a_parameter():
    today = dt.date(2026, 12, 1)
    assert r.due_state(today + dt.timedelta(days=3), today, soon_days=3) == "due_soon"
    assert r.due_state(today + dt.timedelta(days=1), today, soon_days=0) == ""
