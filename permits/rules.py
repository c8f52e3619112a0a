"""Pure rules of the permit service: no database, exhaustively unit-tested.

Numbers with a legal basis (time limits) are data in ``DeadlineRule``; what stays here is the
logic: which materials each path needs, which clock runs in which status, when a booking may
still be changed, whether an inspector was on time, and what an uploaded file really is.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import TEXT_MAX_LENGTH, MaterialKind, PermitPath
from .workflow import PermitStatus as S

# Fire Law art. 15 and the local guides (DOMAIN.md 1.3): under the commitment path materials 1–2
# are due at application and the rest may be handed over at the verification visit.
REQUIRED_MATERIALS: dict[str, tuple[str, ...]] = {
    PermitPath.COMMITMENT: (MaterialKind.COMMITMENT_LETTER, MaterialKind.BUSINESS_LICENCE),
    PermitPath.INSPECTION: (
        MaterialKind.APPLICATION_FORM,
        MaterialKind.BUSINESS_LICENCE,
        MaterialKind.FIRE_RULES,
        MaterialKind.FLOOR_PLANS,
    ),
}


# Required materials the applicant gives on the portal by an act other than an upload: on the
# commitment path she signs the commitment letter online (the wizard's "sign" step), and that
# signature is the letter (DOMAIN.md 1.3), so she is never asked to upload it as well.
SIGNED_ONLINE: dict[str, tuple[str, ...]] = {
    PermitPath.COMMITMENT: (MaterialKind.COMMITMENT_LETTER,),
    PermitPath.INSPECTION: (),
}

# Each path's own form: the commitment letter is not an inspection-path material and the
# application form (申报表) is not a commitment-path one.
NOT_FOR_PATH: dict[str, tuple[str, ...]] = {
    PermitPath.COMMITMENT: (MaterialKind.APPLICATION_FORM,),
    PermitPath.INSPECTION: (MaterialKind.COMMITMENT_LETTER,),
}


def uploads_required(path: str) -> tuple[str, ...]:
    """The required materials the applicant uploads (those not given online), in law order."""
    return tuple(k for k in REQUIRED_MATERIALS[path] if k not in SIGNED_ONLINE[path])


def upload_kinds(path: str) -> list[str]:
    """The kinds an applicant on ``path`` may upload: her path's materials and "other"."""
    excluded = {*SIGNED_ONLINE[path], *NOT_FOR_PATH[path]}
    return [k for k in MaterialKind.values if k not in excluded]


def missing_materials(path: str, present: Iterable[str]) -> list[str]:
    """The required uploads not yet made, in the order the law lists them."""
    have = set(present)
    return [kind for kind in uploads_required(path) if kind not in have]


def next_upload_kind(path: str, present: Iterable[str]) -> str:
    """The kind the upload form proposes: the first required upload still missing, else "other"."""
    missing = missing_materials(path, present)
    return missing[0] if missing else MaterialKind.OTHER


# --- Clocks -------------------------------------------------------------------------------------
# Rule codes (rows of core.DeadlineRule, seeded by permits' data migration).
ACCEPTANCE = "permit.acceptance"
COMMITMENT_DECISION = "permit.commitment_decision"
INSPECTION = "permit.inspection"
DECISION = "permit.decision_after_inspection"
VERIFICATION = "permit.verification"
RECHECK = "permit.recheck"
SERVICE = "permit.document_service"
RECHECK_ON_REQUEST = "permit.recheck_on_request"


@dataclass(frozen=True)
class Events:
    """The dates the clocks start from (local dates, Asia/Shanghai)."""

    submitted: dt.date | None = None
    accepted: dt.date | None = None
    inspected: dt.date | None = None
    decided: dt.date | None = None
    rectification_due: dt.date | None = None
    served: dt.date | None = None
    recheck_requested: dt.date | None = None
    rechecked: dt.date | None = None


@dataclass(frozen=True)
class DueDates:
    accept_due: dt.date | None = None
    inspection_due: dt.date | None = None
    decision_due: dt.date | None = None
    verification_due: dt.date | None = None
    service_due: dt.date | None = None
    next_due: dt.date | None = None
    provisional: bool = False


DueFn = Callable[[str, dt.date], tuple[dt.date, bool]]

# Milestones: one clock each (core.clocks), named after the column that shows its date.
M_ACCEPTANCE = "acceptance"
M_INSPECTION = "inspection"
M_DECISION = "decision"
M_VERIFICATION = "verification"
M_RECHECK = "recheck"
M_SERVICE = "service"

# A permit is granted and stands in these statuses: its document is owed to the applicant.
GRANTED = (S.APPROVED, S.VERIFIED, S.RECTIFICATION)


@dataclass(frozen=True)
class PlannedClock:
    """A clock the application has in its status: its rule, where it starts, whether it runs.

    ``start`` is the local date the period runs from; ``after`` names the milestone whose due
    date it runs from instead (a decision not yet possible follows the inspection limit).
    ``running`` is False once the milestone is met: its date stays on record.
    """

    milestone: str
    code: str
    start: dt.date | None = None
    after: str | None = None
    running: bool = True


@dataclass(frozen=True)
class ClockPlan:
    clocks: tuple[PlannedClock, ...] = ()
    next: str | None = None  # the milestone staff owe now


def clock_plan(*, path: str, status: str, events: Events) -> ClockPlan:
    """Every statutory clock of an application in ``status``, and the one staff owe next.

    A clock whose start event is not recorded is left out.
    """
    if status in (S.DRAFT, S.RETURNED, S.WITHDRAWN, S.NOT_ACCEPTED):
        # No clock runs while the applicant holds the file (补正 stops the clock).
        return ClockPlan()
    planned: list[PlannedClock] = []

    def plan(milestone: str, code: str, start: dt.date | None, *, running: bool) -> None:
        if start is not None:
            planned.append(PlannedClock(milestone, code, start=start, running=running))

    if path == PermitPath.COMMITMENT:
        plan(M_DECISION, COMMITMENT_DECISION, events.submitted, running=status == S.SUBMITTED)
        if status in (S.APPROVED, S.RECTIFICATION, S.VERIFIED, S.REVOKED):
            plan(M_VERIFICATION, VERIFICATION, events.decided, running=status == S.APPROVED)
        if status in (S.RECTIFICATION, S.VERIFIED, S.REVOKED):
            code, start = recheck_start(events.rectification_due, events.recheck_requested)
            running = status == S.RECTIFICATION and events.rechecked is None
            plan(M_RECHECK, code, start, running=running)
        following: dict[str, str] = {
            S.SUBMITTED: M_DECISION,
            S.APPROVED: M_VERIFICATION,
            S.RECTIFICATION: M_RECHECK,
        }
    else:
        plan(M_ACCEPTANCE, ACCEPTANCE, events.submitted, running=status == S.SUBMITTED)
        if status != S.SUBMITTED:
            plan(M_INSPECTION, INSPECTION, events.accepted, running=status == S.ACCEPTED)
            deciding = status in (S.ACCEPTED, S.INSPECTED)
            if events.inspected is not None:
                plan(M_DECISION, DECISION, events.inspected, running=deciding)
            elif any(p.milestone == M_INSPECTION for p in planned):
                # Not yet inspected: the latest lawful decision date follows the inspection limit.
                planned.append(
                    PlannedClock(M_DECISION, DECISION, after=M_INSPECTION, running=deciding)
                )
        following = {
            S.SUBMITTED: M_ACCEPTANCE,
            S.ACCEPTED: M_INSPECTION,
            S.INSPECTED: M_DECISION,
        }
    if status in GRANTED:
        # 行政许可法 art. 44: the document is served within the period from the decision.
        plan(M_SERVICE, SERVICE, events.decided, running=events.served is None)
    milestones = {p.milestone for p in planned}
    nxt = following.get(status)
    return ClockPlan(clocks=tuple(planned), next=nxt if nxt in milestones else None)


def recheck_start(
    rectification_due: dt.date | None, requested: dt.date | None
) -> tuple[str, dt.date | None]:
    """The rule and start of the re-check: 3 working days from the deadline, or from the unit's
    request if it came first (a request after the deadline changes nothing: the deadline-based
    re-check already runs)."""
    if requested is not None and (rectification_due is None or requested < rectification_due):
        return RECHECK_ON_REQUEST, requested
    return RECHECK, rectification_due


def due_dates(*, path: str, status: str, events: Events, due: DueFn) -> DueDates:
    """Every statutory date of an application in ``status``, and the next one staff owe.

    ``due(code, start)`` counts a rule from a start date and says whether the result is
    provisional; it is injected so that this function stays pure. (The application's dates
    are kept by its clocks; this is the same plan counted without them.)
    """
    plan = clock_plan(path=path, status=status, events=events)
    found: dict[str, dt.date] = {}
    provisional = False
    for clock in plan.clocks:
        start = found.get(clock.after) if clock.after else clock.start
        if start is None:
            # A follower is planned after its leader and last, so ``break`` would do the same.
            continue  # pragma: no mutate
        date, is_provisional = due(clock.code, start)
        found[clock.milestone] = date
        provisional = provisional or is_provisional
    return DueDates(
        accept_due=found.get(M_ACCEPTANCE),
        inspection_due=found.get(M_INSPECTION),
        decision_due=found.get(M_DECISION),
        verification_due=found.get(M_VERIFICATION),
        service_due=found.get(M_SERVICE),
        # ``found`` has no None key, so the condition only reads well (an equivalent mutant).
        next_due=found.get(plan.next) if plan.next else None,  # pragma: no mutate
        provisional=provisional,
    )


def due_state(due: dt.date | None, today: dt.date, *, warn_days: int = 2) -> str:
    """``overdue`` after the due day, ``due_soon`` within ``warn_days`` calendar days, else ``ok``."""
    if due is None:
        return "none"
    if today > due:
        return "overdue"
    if (due - today).days <= warn_days:
        return "due_soon"
    return "ok"


# --- Deemed acceptance ----------------------------------------------------------------------
def deemed_accepted(*, status: str, period_ends: dt.datetime | None, now: dt.datetime) -> bool:
    """行政许可法 art. 32 ¶1 (4): an application still waiting when the completeness period has
    run out (the applicant was not told what is missing) counts as accepted from receipt.

    ``period_ends`` is the moment the period runs out (the midnight ending its last working day);
    a notice during its last day is in time, one a moment later is not."""
    return status == S.SUBMITTED and period_ends is not None and now >= period_ends


# --- After the permit: re-check requests and revocation ------------------------------------------
def recheck_request_refusal(
    *, status: str, is_commitment: bool, requested: bool, rechecked: bool
) -> str | None:
    """Why the unit may not ask for the re-check now (``None``: it may).

    Only while a rectification notice is in force (the commitment path's ``rectification``),
    once, and not after the re-check was done.
    """
    if not is_commitment or status != S.RECTIFICATION:
        return "no_rectification"
    if rechecked:
        return "rechecked"
    if requested:
        return "already_requested"
    return None


def revocation_refusal(
    *, status: str, rectification_due: dt.date | None, today: dt.date, failed_rechecks: int
) -> str | None:
    """Why a commitment permit may not be revoked now (``None``: it may). Fire Law art. 58
    para. 2: only after a rectification order that was not met, shown by a failed re-check.

    The deadline day itself is still the unit's: it has passed from the day after.
    """
    if status != S.RECTIFICATION or rectification_due is None:
        return "no_rectification"
    if today <= rectification_due:
        return "deadline_not_passed"
    if failed_rechecks < 1:
        return "no_failed_recheck"
    return None


# --- Pre-check booking ----------------------------------------------------------------------------
def can_change_booking(*, starts_at: dt.datetime, now: dt.datetime, cutoff_hours: int) -> bool:
    """Cancel or reschedule is allowed until ``cutoff_hours`` before the slot starts."""
    return now <= starts_at - dt.timedelta(hours=cutoff_hours)


def online_change_deadline(
    *, starts_at: dt.datetime, now: dt.datetime, cutoff_hours: int
) -> dt.datetime | None:
    """Until when a booking of a slot starting at ``starts_at`` can be cancelled or moved online;
    ``None`` when that moment has already passed (then only a call to the brigade changes it).
    Never a deadline in the past: pages say "call the brigade" instead (issue 9)."""
    deadline = starts_at - dt.timedelta(hours=cutoff_hours)
    return deadline if now <= deadline else None


def can_book(*, starts_at: dt.datetime, now: dt.datetime) -> bool:
    """A slot can be booked until it starts."""
    return now < starts_at


def reminder_due_at(starts_at_local: dt.datetime, *, hour: int = 9) -> dt.datetime:
    """The day-before reminder: ``hour`` o'clock local time on the previous calendar day."""
    day_before = (starts_at_local - dt.timedelta(days=1)).date()
    return starts_at_local.replace(
        year=day_before.year,
        month=day_before.month,
        day=day_before.day,
        hour=hour,
        minute=0,
        second=0,
        microsecond=0,
    )


# --- Limits of plausible input -----------------------------------------------------------------
# Further ahead than these is almost always a typing mistake (2062 for 2026).
OPENING_DATE_HORIZON = dt.timedelta(days=5 * 366)
SLOT_HORIZON = dt.timedelta(days=366)  # slots are published at most a year ahead
RECTIFICATION_HORIZON = dt.timedelta(days=366)
HOME_VISIT_HORIZON = dt.timedelta(days=90)  # someone waiting at home is not told "in 2062"
# Free text of a decision fits on a letter; inspection findings on a page or two (pages and API).
REASON_MAX_LENGTH = TEXT_MAX_LENGTH
FINDINGS_MAX_LENGTH = 5000


# The inspector may record arrival from this long before the booked start: arriving a little
# early is on time; "arriving" half a day early is not a visit at the booked time (按照预约时间).
ARRIVAL_EARLIEST = dt.timedelta(hours=2)


def is_punctual(*, starts_at: dt.datetime, arrived_at: dt.datetime, grace_minutes: int) -> bool:
    """On time means arriving no later than the booked start plus a small grace (按照预约时间)."""
    return arrived_at <= starts_at + dt.timedelta(minutes=grace_minutes)


# --- Uploads ------------------------------------------------------------------------------------------
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff_content_type(head: bytes) -> str | None:
    """The real type of an upload from its first bytes; ``None`` for anything not allowed."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def safe_download_name(stem: str, content_type: str) -> str:
    """A download name without path separators, control characters or quotes."""
    cleaned = "".join(c for c in stem if c.isprintable() and c not in '\\/:*?"<>|;')
    cleaned = cleaned.strip(" .")[:80] or "file"
    return cleaned + EXTENSIONS.get(content_type, "")


# --- Pre-check venues -----------------------------------------------------------------------------
_VENUE_NOISE = re.compile(r"[\s\u3000.,，。、·\-－—_#＃()（）\[\]【】/]+")


def venue_key(address: str) -> str:
    """A venue as the open-booking limit counts it: its address with width, case, spaces and
    punctuation folded, so "丽阳街12号" and "丽阳街 12 号" are one venue (ADR 0027)."""
    return _VENUE_NOISE.sub("", unicodedata.normalize("NFKC", address or "").casefold())[:255]
