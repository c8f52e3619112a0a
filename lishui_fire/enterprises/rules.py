"""Pure rules of the credit grade: no database, exhaustively unit-tested.

A recalculation proposes a grade from a unit's credit record (``CreditEvent`` rows): penalties,
false commitments, revoked permits, rectification on time or late, fires, dishonesty-list
entries, commendations. What each kind is worth, the window it counts in and the score each grade
needs are data (``CreditScoringRuleSet`` with its weights and thresholds, each with its basis and
effective date); this module only applies them:

* an event counts when ``today - lookback_days < occurred_on <= today`` (an event of the future,
  typed ahead, does not count yet; one exactly ``lookback_days`` old no longer counts);
* score = base score + the sum of the points of the events that count;
* the grade is the best one whose threshold the score reaches; a score below every threshold
  gets the worst grade;
* a kind with a ``best_grade`` caps the grade: with such an event in the window the unit gets at
  most that grade (a unit penalised within the window is not "守信" however many on-time
  rectifications it has).

The proposal carries its facts (each kind, how many, the points and the cap), so the supervisor
who confirms it sees why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Weight:
    kind: str
    points: int
    best_grade: str = ""


@dataclass(frozen=True)
class RuleSet:
    """A scoring rule set as plain data. ``thresholds``: (grade code, minimum score), any order."""

    base_score: int
    lookback_days: int
    weights: Mapping[str, Weight]
    thresholds: Sequence[tuple[str, int]]
    _order: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.lookback_days < 1:
            raise ValueError("lookback_days must be at least 1")
        if not self.thresholds:
            raise ValueError("a rule set needs at least one grade threshold")
        codes = [code for code, _min in self.thresholds]
        if len(set(codes)) != len(codes):
            raise ValueError("a grade has two thresholds")
        order = tuple(sorted(self.thresholds, key=lambda t: -t[1]))
        object.__setattr__(self, "_order", order)
        for weight in self.weights.values():
            if weight.best_grade and weight.best_grade not in codes:
                raise ValueError(f"best grade {weight.best_grade!r} has no threshold")

    @property
    def grades_best_first(self) -> tuple[str, ...]:
        return tuple(code for code, _min in self._order)

    def grade_for_score(self, score: int) -> str:
        for code, minimum in self._order:
            if score >= minimum:
                return code
        return self._order[-1][0]


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    occurred_on: dt.date


@dataclass(frozen=True)
class Fact:
    """One kind of event in the window: how many, what each is worth, the cap it sets."""

    kind: str
    count: int
    points_each: int
    points: int
    best_grade: str
    event_ids: tuple[int, ...]


@dataclass(frozen=True)
class Proposal:
    grade: str
    score: int
    score_grade: str  # the grade the score alone earns, before any cap
    capped_by: tuple[str, ...]  # the kinds whose cap lowered the grade
    facts: tuple[Fact, ...]


def counts_on(occurred_on: dt.date, *, today: dt.date, lookback_days: int) -> bool:
    """Whether an event of ``occurred_on`` is in the window that ends on ``today``."""
    return today - dt.timedelta(days=lookback_days) < occurred_on <= today


def propose_grade(events: Iterable[Event], rule_set: RuleSet, *, today: dt.date) -> Proposal:
    """The grade the rule set gives a unit with these events, on ``today``."""
    by_kind: dict[str, list[int]] = {}
    for event in events:
        if counts_on(event.occurred_on, today=today, lookback_days=rule_set.lookback_days):
            by_kind.setdefault(event.kind, []).append(event.id)
    facts: list[Fact] = []
    score = rule_set.base_score
    for kind in sorted(by_kind):
        ids = tuple(sorted(by_kind[kind]))
        weight = rule_set.weights.get(kind, Weight(kind, 0))
        points = weight.points * len(ids)
        score += points
        facts.append(Fact(kind, len(ids), weight.points, points, weight.best_grade, ids))
    score_grade = rule_set.grade_for_score(score)
    order = rule_set.grades_best_first
    grade = score_grade
    capped_by: list[str] = []
    for fact in facts:
        if fact.best_grade and order.index(fact.best_grade) > order.index(grade):
            grade = fact.best_grade
    if grade != score_grade:
        capped_by = [
            f.kind
            for f in facts
            if f.best_grade and order.index(f.best_grade) > order.index(score_grade)
        ]
    return Proposal(grade, score, score_grade, tuple(capped_by), tuple(facts))
