"""Pure rules of the visits part (no database): what a record must say, when a rectification
counts as on time, two-person confirmation, and how a statutory date is flagged on the lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# The results a visit may end with, and where the inspection goes when both officers confirm.
NO_PROBLEM = "no_problem"
CORRECTED_ON_SPOT = "corrected_on_spot"
ORDERED_TO_CORRECT = "ordered_to_correct"
FURTHER_ACTION = "further_action"
# A re-check either finds the order carried out (no problem left, or the rest corrected on the
# spot) or not: a re-check that fails goes on to further action, never to a second deadline.
RECHECK_RESULTS = frozenset({NO_PROBLEM, CORRECTED_ON_SPOT, FURTHER_ACTION})
RESULTS_NEEDING_FINDINGS = frozenset({CORRECTED_ON_SPOT, ORDERED_TO_CORRECT, FURTHER_ACTION})
# Maximum rectification period an officer may set in one order (a sanity bound on input, not a
# legal number: the law leaves "a reasonable period" to the officer).
MAX_RECTIFICATION_DAYS = 366


@dataclass(frozen=True)
class VisitProblem:
    """Why a record cannot be submitted: the form field and a code the service translates."""

    field: str
    code: str


def visit_problems(
    *,
    result: str,
    is_recheck: bool,
    visited_on: dt.date,
    today: dt.date,
    rectify_by: dt.date | None,
    findings: int,
    findings_not_corrected: int,
    rectified_on: dt.date | None = None,
    recheck_requested_on: dt.date | None = None,
) -> list[VisitProblem]:
    """Everything wrong with a visit record as submitted (empty: it may be recorded)."""
    problems: list[VisitProblem] = []
    if visited_on > today:
        problems.append(VisitProblem("visited_at", "future_visit"))
    if is_recheck and result not in RECHECK_RESULTS:
        problems.append(VisitProblem("result", "recheck_result"))
    if result in RESULTS_NEEDING_FINDINGS and findings == 0:
        problems.append(VisitProblem("result", "needs_findings"))
    if result == NO_PROBLEM and findings > 0:
        problems.append(VisitProblem("result", "findings_but_no_problem"))
    if result == CORRECTED_ON_SPOT and findings_not_corrected > 0:
        problems.append(VisitProblem("result", "not_all_corrected"))
    if result == ORDERED_TO_CORRECT:
        if rectify_by is None:
            problems.append(VisitProblem("rectify_by", "rectify_by_missing"))
        elif rectify_by <= visited_on:
            problems.append(VisitProblem("rectify_by", "rectify_by_not_after_visit"))
        elif (rectify_by - visited_on).days > MAX_RECTIFICATION_DAYS:
            problems.append(VisitProblem("rectify_by", "rectify_by_too_far"))
    elif rectify_by is not None:
        problems.append(VisitProblem("rectify_by", "rectify_by_not_ordered"))
    passed = result in (NO_PROBLEM, CORRECTED_ON_SPOT)
    if is_recheck and passed and rectified_on is None and recheck_requested_on is None:
        problems.append(VisitProblem("rectified_on", "rectified_on_missing"))
    if rectified_on is not None:
        if not is_recheck or not passed:
            problems.append(VisitProblem("rectified_on", "rectified_on_not_recheck"))
        elif rectified_on > visited_on:
            problems.append(VisitProblem("rectified_on", "rectified_on_after_visit"))
    return problems


def recheck_passed(result: str) -> bool:
    return result in (NO_PROBLEM, CORRECTED_ON_SPOT)


def rectification_day(
    *, rectified_on: dt.date | None, recheck_requested_on: dt.date | None
) -> dt.date | None:
    """When the unit finished the correction: the day the officers found (on the re-check), else
    the day the unit said it was done by asking for the re-check."""
    return rectified_on if rectified_on is not None else recheck_requested_on


def rectified_on_time(*, rectify_by: dt.date, done_on: dt.date | None, passed: bool) -> bool:
    """On time: the re-check passed and the correction was finished by the deadline day (the
    deadline day itself counts). A failed re-check is never on time."""
    return passed and done_on is not None and done_on <= rectify_by


def both_confirmed(confirmations: Iterable[bool], *, required: int = 2) -> bool:
    """Two-person enforcement (DOMAIN.md §2.5): every assigned officer, at least two, confirmed."""
    values = list(confirmations)
    return len(values) >= required and all(values)


def due_state(due: dt.date | None, today: dt.date, *, soon_days: int = 2) -> str:
    """ "overdue", "due_soon" or "" for a statutory date as shown on the lists."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if (due - today).days <= soon_days:
        return "due_soon"
    return ""
