"""Pure rules of fire investigation (measure 5; DOMAIN.md §5): which clock a case runs on, which
authority investigates it, when the simple procedure is allowed, and whether a review (复核)
application may be accepted.

No database, no settings: every number (days, thresholds) arrives as an argument, taken by the
services from data rows that carry their legal basis (``core.DeadlineRule`` for the periods,
``fire_investigation.InvestigationLimits`` for the thresholds). The rules only name and compare.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

# --- The determination clock ----------------------------------------------------------------------
# The codes of the two determination periods (core.DeadlineRule rows, seeded with their basis):
# Lishui's promise of 20 days for an undisputed enterprise fire, and the regulation's 30 days
# (火灾事故调查规定 art. 28, 公安部令第121号), both counted from the day the alarm was received.
PROMISE_RULE = "fire.determination.promise"
STATUTORY_RULE = "fire.determination.statutory"


@dataclass(frozen=True)
class ClockFacts:
    """The three facts that decide the determination clock (issue 11, measure 5)."""

    enterprise_involved: bool
    has_dispute: bool
    criminal_liability_suspected: bool


def determination_rule(facts: ClockFacts) -> str:
    """The rule code a case's determination clock runs on.

    Lishui promises 20 days for an enterprise fire with no dispute and no suspected criminal
    liability; every other case has the regulation's 30 days. A fact that changes later (a
    dispute on day 19) switches the clock; the services record why.
    """
    if (
        facts.enterprise_involved
        and not facts.has_dispute
        and not facts.criminal_liability_suspected
    ):
        return PROMISE_RULE
    return STATUTORY_RULE


# --- Jurisdiction by severity ---------------------------------------------------------------------
class Level(enum.StrEnum):
    """Who investigates (火灾事故调查规定 art. 8, 121号): the county brigade, the city
    detachment or the provincial corps."""

    BRIGADE = "brigade"
    DETACHMENT = "detachment"
    PROVINCE = "province"


@dataclass(frozen=True)
class Severity:
    deaths: int
    serious_injuries: int
    households_affected: int


@dataclass(frozen=True)
class JurisdictionThresholds:
    """The lowest figures that move a fire up a level (each alone is enough)."""

    province_deaths: int
    province_serious_injuries: int
    province_households: int
    detachment_deaths: int
    detachment_serious_injuries: int
    detachment_households: int


def jurisdiction(severity: Severity, limits: JurisdictionThresholds) -> Level:
    """The level that investigates a fire of this severity: any one figure at or above a
    level's threshold is enough."""
    if (
        severity.deaths >= limits.province_deaths
        or severity.serious_injuries >= limits.province_serious_injuries
        or severity.households_affected >= limits.province_households
    ):
        return Level.PROVINCE
    if (
        severity.deaths >= limits.detachment_deaths
        or severity.serious_injuries >= limits.detachment_serious_injuries
        or severity.households_affected >= limits.detachment_households
    ):
        return Level.DETACHMENT
    return Level.BRIGADE


# --- Simple procedure (简易调查程序) --------------------------------------------------------------
class SimpleRefusal(enum.StrEnum):
    """Why the simple procedure is not allowed (each condition of DOMAIN.md §5.3)."""

    CASUALTIES = "casualties"
    LOSS_TOO_HIGH = "loss_too_high"
    LOSS_UNKNOWN = "loss_unknown"
    DISPUTED = "disputed"
    ARSON_SUSPECTED = "arson_suspected"


@dataclass(frozen=True)
class SimpleFacts:
    deaths: int
    injuries: int  # any injury, serious or not
    direct_loss_yuan: Decimal | None
    facts_disputed: bool
    arson_suspected: bool


def simple_procedure_refusals(facts: SimpleFacts, *, max_loss_yuan: Decimal) -> list[SimpleRefusal]:
    """Every condition of the simple procedure that does not hold; empty when it is allowed.

    ``max_loss_yuan`` is the highest direct loss the province admits as "minor" (data): a loss
    equal to it is admitted, one yuan more is not. A loss not yet estimated is not minor.
    """
    refusals = []
    if facts.deaths or facts.injuries:
        refusals.append(SimpleRefusal.CASUALTIES)
    if facts.direct_loss_yuan is None:
        refusals.append(SimpleRefusal.LOSS_UNKNOWN)
    elif facts.direct_loss_yuan > max_loss_yuan:
        refusals.append(SimpleRefusal.LOSS_TOO_HIGH)
    if facts.facts_disputed:
        refusals.append(SimpleRefusal.DISPUTED)
    if facts.arson_suspected:
        refusals.append(SimpleRefusal.ARSON_SUSPECTED)
    return refusals


def investigators_required(*, simple: bool) -> int:
    """The simple procedure may be run by one investigator; the normal one needs two."""
    return 1 if simple else 2


# --- Review (复核) ---------------------------------------------------------------------------------
class ReviewRefusal(enum.StrEnum):
    """Why a review application is not accepted (火灾事故调查规定 art. 35–36), as codes."""

    NOT_A_PARTY = "not_a_party"
    NOT_SERVED = "not_served"
    LATE = "late"
    ALREADY_REVIEWED = "already_reviewed"
    SIMPLE_PROCEDURE = "simple_procedure"


def review_window_last_day(served_on: dt.date, *, days: int) -> dt.date:
    """The last day a review may be applied for: ``days`` days counted from the day after
    service (Civil Code art. 201: the day of service is not counted)."""
    return served_on + dt.timedelta(days=days)


def review_refusals(
    *,
    applied_on: dt.date,
    served_on: dt.date | None,
    window_days: int,
    is_party: bool,
    simple_procedure: bool,
    earlier_reviews: int,
) -> list[ReviewRefusal]:
    """Every reason the application cannot be accepted; empty when it may be.

    Once only (art. 35 ¶2): ``earlier_reviews`` counts the reviews already accepted for the
    case (by any party); an application refused as late or by a non-party was no review.
    A simple-procedure determination is never reviewed. ``applied_on`` is the day the
    application was received; on the window's last day it is in time, the day after it is late.
    """
    refusals = []
    if not is_party:
        refusals.append(ReviewRefusal.NOT_A_PARTY)
    if simple_procedure:
        refusals.append(ReviewRefusal.SIMPLE_PROCEDURE)
    if earlier_reviews:
        refusals.append(ReviewRefusal.ALREADY_REVIEWED)
    if served_on is None:
        refusals.append(ReviewRefusal.NOT_SERVED)
    elif applied_on > review_window_last_day(served_on, days=window_days):
        refusals.append(ReviewRefusal.LATE)
    return refusals


# --- Service by public notice (公告送达) -----------------------------------------------------------
def deemed_served_on(posted_on: dt.date, *, notice_days: int) -> dt.date:
    """A letter that could not be served is posted; it counts as served when the notice period
    (``notice_days``, 20 by the regulation) has passed."""
    return posted_on + dt.timedelta(days=notice_days)


# --- Loss declarations --------------------------------------------------------------------------
def loss_declaration_in_time(
    *, declared_on: dt.date, extinguished_on: dt.date, window_days: int
) -> bool:
    """A damaged party declares its direct loss within ``window_days`` (7) of the fire being
    put out, counted from the day after."""
    return extinguished_on <= declared_on <= extinguished_on + dt.timedelta(days=window_days)
