"""Pure rules of measure 3: no database access, every number from the data passed in.

Each part of the app keeps its rules in its own section.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import ROUND_HALF_UP, Decimal

from lishui_fire.enterprises.models import GATHERING_VENUE_TYPES, VenueType

from .models import InspectionKind, VenueClass

# --- plans ---
# 人员密集场所 (Fire Protection Law art. 73 ¶2): the public gathering venues, hospital wards and
# old people's homes, schools and kindergartens. The registry's umbrella "public entertainment
# venue" is a gathering venue still to be sorted. Labour-intensive workshops and dormitories are
# crowded places too, but the registry cannot tell a labour-intensive factory from another, so
# factories are not counted here; a high-rise public building is crowded only through its use.
CROWDED_VENUE_TYPES: frozenset[str] = GATHERING_VENUE_TYPES | {
    VenueType.ENTERTAINMENT,
    VenueType.HOSPITAL,
    VenueType.SCHOOL,
}

# The kinds of inspection the yearly cap of a grade limits ("无事不扰": planned and random
# checks). Complaint verification, pre-opening verification, the large-event check, re-checks
# and case inspections happen because something happened: they never count and are never
# blocked (DOMAIN.md measure 3; the Shanxi 2026 plan's scope, §2.3).
CAPPED_KINDS: frozenset[str] = frozenset(
    {InspectionKind.RANDOM, InspectionKind.SPECIAL_CAMPAIGN, InspectionKind.JOINT}
)

RATIO_PLACES = Decimal("0.0001")


def is_crowded_venue(venue_type: str) -> bool:
    return venue_type in CROWDED_VENUE_TYPES


def venue_class(*, key_unit: bool, venue_type: str, penalised_last_year: bool) -> str:
    """The one class a unit is sampled in. A unit penalised last year is a priority target
    whatever else it is (the Jining 2024 plan, DOMAIN.md §2.3); then key units, crowded places
    first; every other unit is a general unit."""
    if penalised_last_year:
        return VenueClass.PENALISED
    if key_unit:
        return VenueClass.CROWDED_KEY if is_crowded_venue(venue_type) else VenueClass.OTHER_KEY
    return VenueClass.GENERAL


def graded_ratio(base_ratio: Decimal, multiplier: Decimal) -> Decimal:
    """The sampling ratio of a grade: the class's ratio × the grade's multiplier, at most 1
    (a unit cannot be drawn more than once), to four places."""
    if base_ratio < 0 or multiplier < 0:
        raise ValueError("ratios and multipliers are never negative")
    return min(Decimal(1), base_ratio * multiplier).quantize(RATIO_PLACES, ROUND_HALF_UP)


def counts_toward_cap(kind: str) -> bool:
    return kind in CAPPED_KINDS


def cap_reached(*, cap: int | None, capped_this_year: int) -> bool:
    """A grade's yearly cap (``None``: no cap) is reached by this many capped inspections."""
    return cap is not None and capped_this_year >= cap


def blocked_by_cap(*, kind: str, cap: int | None, capped_this_year: int) -> bool:
    """May an inspection of ``kind`` not be started on this unit this year? Only capped kinds
    are ever blocked, and only once the grade's cap is reached."""
    return counts_toward_cap(kind) and cap_reached(cap=cap, capped_this_year=capped_this_year)


def capped_count(kinds_this_year: Iterable[str]) -> int:
    """How many of a unit's inspections this year (their kinds, cancelled ones left out by the
    caller) count toward the cap."""
    return sum(1 for kind in kinds_this_year if counts_toward_cap(kind))


# --- intake ---
# --- Complaint verification (《消防监督检查规定》第十五条; DOMAIN.md §2.5 [H]) -------------------------
# Each category sets the rule (a DeadlineRule row, its count and unit are data): blocked,
# occupied or locked evacuation routes and exits, and fire facilities switched off without
# authorisation are verified within 24 hours of the report; everything else within 3 working days.
COMPLAINT_URGENT_RULE = "inspection.complaint_urgent"
COMPLAINT_ORDINARY_RULE = "inspection.complaint"
URGENT_COMPLAINT_CATEGORIES: frozenset[str] = frozenset(
    {"evacuation_blocked", "exit_locked", "facilities_off"}
)
COMPLAINT_MILESTONE = "complaint_verification"


def complaint_clock_rule(category: str, *, known: Collection[str]) -> str:
    """The code of the DeadlineRule that counts the verification of a complaint of ``category``.

    ``known`` is the list of categories the register offers: an unknown one is an error rather
    than silently the slower clock (a typing mistake must not buy a unit two more days).
    """
    if category not in known:
        raise ValueError(f"unknown complaint category {category!r}")
    if category in URGENT_COMPLAINT_CATEGORIES:
        return COMPLAINT_URGENT_RULE
    return COMPLAINT_ORDINARY_RULE


# --- The enterprise's own view ---------------------------------------------------------------------
def is_registered_contact(
    *, user_uscc: str, user_phone: str, unit_uscc: str, unit_phone: str
) -> bool:
    """A signed-in applicant speaks for a registered unit when the account names the unit's
    credit code and its phone is the contact phone the registry holds for the unit.

    The credit code alone is public (it is printed on every licence): anyone could type it at
    registration. The registry's contact phone is the one the brigade verified; both must match.
    """
    user_uscc, unit_uscc = (user_uscc or "").strip().upper(), (unit_uscc or "").strip().upper()
    user_phone, unit_phone = (user_phone or "").strip(), (unit_phone or "").strip()
    if not (user_uscc and user_phone and unit_uscc and unit_phone):
        return False
    return user_uscc == unit_uscc and user_phone == unit_phone
