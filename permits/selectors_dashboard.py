"""Reads of the supervisors' permits dashboard: a period's figures against the period before it,
what falls due in the next working days, and the daily trend.

Every function here costs one query whatever the size of the table: figures are conditional
aggregates over the caller's scope restricted to the two periods (the ``submitted_at`` and
``decided_at`` indexes serve the range), and the daily trend groups by day, so it returns at most
two periods' worth of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.calendar import add_working_days

from .models import Channel, NoticeAmendment, PermitApplication
from .selectors import (
    applications_for_user,
    bookings_for_user,
    pending_proposals,
    slots_for_user,
    staff_queue,
)
from .workflow import OPEN_STATUSES, AmendmentStatus, PermitStatus

# The periods a supervisor can compare, in days (the page's choice, not a rule of law).
PERIOD_CHOICES = (30, 90, 365)
DEFAULT_PERIOD = 30
# "What falls due soon": a date within the next N working days (the n-th working day after today,
# counted as the law counts periods; on a Friday, 3 working days reach Wednesday).
DUE_SOON_WORKING_DAYS = 3


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in local dates, and the period of the same length just before it."""

    days: int
    start: dt.date
    end: dt.date  # exclusive: tomorrow, so that today counts

    @property
    def previous_start(self) -> dt.date:
        return self.start - dt.timedelta(days=self.days)

    def bounds(self) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        """Aware datetimes: the previous period's start, this period's start, this period's end."""
        tz = timezone.get_current_timezone()
        return tuple(  # type: ignore[return-value]
            dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            for day in (self.previous_start, self.start, self.end)
        )


def period_ending(today: dt.date, days: int) -> Period:
    """The ``days`` days that end today (today included)."""
    end = today + dt.timedelta(days=1)
    return Period(days=days, start=end - dt.timedelta(days=days), end=end)


FIGURES = ("received", "window", "decided", "on_time", "rejected")


def _figure_filters(prefix: str, lo: dt.datetime, hi: dt.datetime) -> dict[str, Q]:
    p = prefix
    received = Q(**{f"{p}submitted_at__gte": lo, f"{p}submitted_at__lt": hi})
    decided = Q(**{f"{p}decided_at__gte": lo, f"{p}decided_at__lt": hi})
    return {
        "received": received,
        "window": received & Q(**{f"{p}channel": Channel.WINDOW}),
        "decided": decided,
        # On time: decided on or before the statutory decision date (the date in force, which
        # already moved with every pause or extension the kernel clock recorded).
        "on_time": decided & Q(**{f"{p}decided_at__date__lte": F(f"{p}decision_due")}),
        "rejected": decided & Q(**{f"{p}status": PermitStatus.REJECTED}),
    }


def period_figures(*, user: Any, period: Period) -> dict[str, dict[str, int]]:
    """``{"now": {...}, "before": {...}}`` with the figures of ``FIGURES`` (one query)."""
    prev_lo, lo, hi = period.bounds()
    qs = applications_for_user(user=user).filter(
        Q(submitted_at__gte=prev_lo, submitted_at__lt=hi)
        | Q(decided_at__gte=prev_lo, decided_at__lt=hi)
    )
    aggregates: dict[str, Any] = {}
    for key, (a, b) in {"now": (lo, hi), "before": (prev_lo, lo)}.items():
        for name, condition in _figure_filters("", a, b).items():
            aggregates[f"{key}__{name}"] = Count("pk", filter=condition)
    row = qs.order_by().aggregate(**aggregates)
    return {
        key: {name: row[f"{key}__{name}"] or 0 for name in FIGURES} for key in ("now", "before")
    }


def brigade_period_figures(*, user: Any, period: Period) -> QuerySet[OrgUnit]:
    """For each visible brigade: received and decided in this period and the one before."""
    prev_lo, lo, hi = period.bounds()
    brigades = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
    if not user.sees_all_brigades:
        brigades = brigades.filter(pk=user.org_unit_id)
    not_draft = ~Q(permit_applications__status=PermitStatus.DRAFT)
    now = _figure_filters("permit_applications__", lo, hi)
    before = _figure_filters("permit_applications__", prev_lo, lo)
    return brigades.annotate(
        received_now=Count("permit_applications", filter=not_draft & now["received"]),
        received_before=Count("permit_applications", filter=not_draft & before["received"]),
        decided_now=Count("permit_applications", filter=not_draft & now["decided"]),
        decided_before=Count("permit_applications", filter=not_draft & before["decided"]),
        on_time_now=Count("permit_applications", filter=not_draft & now["on_time"]),
    ).order_by("sort_order", "code")


def daily_received(*, user: Any, period: Period) -> dict[dt.date, int]:
    """Applications received per local day over both periods (at most 2 × days rows)."""
    prev_lo, _lo, hi = period.bounds()
    rows = (
        applications_for_user(user=user)
        .filter(submitted_at__gte=prev_lo, submitted_at__lt=hi)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    return {row["day"]: row["n"] for row in rows}


def due_soon_until(today: dt.date, working_days: int = DUE_SOON_WORKING_DAYS) -> dt.date:
    """The last day of "within the next N working days" of today: the N-th working day after it
    (the kernel calendar: weekends, holidays and the make-up working days)."""
    return add_working_days(today, working_days).date


def due_soon(*, user: Any, today: dt.date, until: dt.date) -> QuerySet[PermitApplication]:
    """Open applications whose next statutory date falls between today and ``until``,
    in queue order (green channel first, then the nearest date)."""
    return staff_queue(user=user, statuses=OPEN_STATUSES).filter(
        next_due__gte=today, next_due__lte=until
    )


# --- The overview panel ---------------------------------------------------------------------------
def amendments_waiting(*, user: Any) -> int:
    """Amendments of one-time notices waiting for a supervisor in the caller's scope."""
    return NoticeAmendment.objects.filter(
        booking__in=bookings_for_user(user=user), status=AmendmentStatus.REQUESTED
    ).count()


def proposals_waiting(*, user: Any) -> int:
    """Proposals waiting in the caller's scope; for a supervisor, those they may approve (not
    their own, which another supervisor approves)."""
    qs = pending_proposals(user=user)
    if getattr(user, "is_supervisor", False):
        qs = qs.exclude(proposed_by=user)
    return qs.count()


def free_places(*, user: Any, days: int = 7) -> dict[str, int]:
    """Pre-check slots of the caller's brigades in the next ``days`` days: slots, free places."""
    now = timezone.now()
    row = (
        slots_for_user(user=user)
        .filter(starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=days))
        .aggregate(slots=Count("pk"), free=Sum(F("capacity") - F("booked")))
    )
    return {"slots": row["slots"] or 0, "free": row["free"] or 0}
