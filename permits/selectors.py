"""Read queries of the permits app, shared by pages, API and dashboards.

Every list here is scoped to the caller and joins what its page shows, so that a page's number
of queries does not grow with its rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from lishui_fire.accounts.models import CASE_READER_ROLES, OrgUnit
from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.clocks import clocks_of
from lishui_fire.core.models import Clock

from .models import (
    OPEN_ROW,
    DecisionProposal,
    HomeServiceRequest,
    PermitApplication,
    PermitApplicationQuerySet,
    PermitDocument,
    PrecheckBooking,
    PrecheckSlot,
)
from .workflow import (
    ACTIVE_BOOKING_STATUSES,
    DECIDABLE_STATUSES,
    OPEN_STATUSES,
    BookingStatus,
    PermitStatus,
    ProposalStatus,
)


# --- Applications -------------------------------------------------------------------------------
def applications_for_user(*, user: Any) -> QuerySet[PermitApplication]:
    """Applicant: own; staff: their brigade; detachment: all. A draft is the applicant's alone
    until it is submitted: staff see neither it nor its materials, on the pages or the API."""
    qs = scope_queryset(
        PermitApplication.objects.select_related("brigade", "applicant"),
        user,
        staff_roles=CASE_READER_ROLES,  # the legal officer reads them (permits/policies.py)
    )
    if not getattr(user, "is_applicant", False):
        qs = qs.exclude(status=PermitStatus.DRAFT)
    return qs


def application_api_list(*, user: Any) -> QuerySet[PermitApplication]:
    """``/api/v1/permits/``: newest first, an index in that order for every scope (ADR 0030).

    ``home_service`` is an ``EXISTS`` per row of the page, not a ``COUNT`` that would group every
    visible row before the page is cut (and make the page's count wrap the same grouping)."""
    return (
        applications_for_user(user=user)
        .annotate(
            has_home_service=Exists(HomeServiceRequest.objects.filter(application=OuterRef("pk")))
        )
        .order_by("-created_at", "-pk")
    )


def application_list_for_applicant(*, user: Any) -> QuerySet[PermitApplication]:
    return applications_for_user(user=user).prefetch_related(
        Prefetch("documents", queryset=PermitDocument.objects.order_by("issued_at"))
    )


def _queue_rows(*, user: Any, statuses: Any = None) -> QuerySet[PermitApplication]:
    """The rows of the intake queue, unordered: open applications of the caller's brigades, not
    their own (staff who applied for a venue of their own do not handle it)."""
    qs = applications_for_user(user=user).exclude(applicant=user)
    # The open rows as the partial indexes name them (SQLite matches the term as written).
    return qs.filter(status__in=statuses) if statuses else qs.filter(OPEN_ROW)


def staff_queue(*, user: Any, statuses: Any = None) -> QuerySet[PermitApplication]:
    """The intake queue: open applications of the caller's brigades, green channel first, then
    the nearest statutory date."""
    qs = _queue_rows(user=user, statuses=statuses).select_related("handled_by")
    annotated = qs.annotate(
        has_precheck=Exists(PrecheckBooking.objects.filter(pk=OuterRef("precheck_id")))
    )
    return cast(PermitApplicationQuerySet, annotated).queue_order()


# What the queue page shows of a row (permits/staff/queue.html), and the columns of its order.
QUEUE_PAGE_FIELDS = (
    "reference",
    "venue_name",
    "brigade__name_zh",
    "brigade__name_en",
    "path",
    "status",
    "next_due",
    "due_provisional",
    "green_channel",
    "precheck_id",
    "submitted_at",
)


def staff_queue_page(
    *, user: Any, statuses: Any = None, path: str = ""
) -> QuerySet[PermitApplication]:
    """The staff queue page's rows (``staff_queue``'s rows and order): only the columns the page
    shows and the brigade's name, no applicant or handler joined. Whether a pre-check is linked
    is the row's own ``precheck_id`` (a foreign key, set to NULL when the booking goes), not a
    subquery per row. The page cost ~2 ms of SQL compiling for columns it never showed (ADR
    0033)."""
    qs = _queue_rows(user=user, statuses=statuses)
    if path:
        qs = qs.filter(path=path)
    qs = qs.select_related(None).select_related("brigade").only(*QUEUE_PAGE_FIELDS)
    return cast(PermitApplicationQuerySet, qs).queue_order()


def overdue_applications(*, user: Any, today: dt.date | None = None) -> QuerySet[PermitApplication]:
    today = today or timezone.localdate()
    return staff_queue(user=user).filter(next_due__lt=today)


def pending_proposals(*, user: Any) -> QuerySet[DecisionProposal]:
    """拟办意见 waiting for a supervisor's approval, the oldest first (ADR 0034).

    The kernel's scope on the application's brigade: a brigade supervisor sees their brigade's,
    the detachment's supervisors and the administrator every brigade's, the legal officer their
    unit's (to read); an inspector sees only the proposals they made themselves. Applicants and
    the discipline officer see none."""
    qs = scope_queryset(
        DecisionProposal.objects.filter(
            # Lapsed when the application left these (ADR 0036); kept as a second guard.
            status=ProposalStatus.PENDING,
            application__status__in=DECIDABLE_STATUSES,
        ),
        user,
        owner_field=None,
        brigade_field="application__brigade",
        assigned_field="proposed_by",
        staff_roles=CASE_READER_ROLES,
    )
    return qs.select_related("application__brigade", "proposed_by").order_by("proposed_at", "pk")


# --- Pre-check ----------------------------------------------------------------------------------------
def free_slots(
    *,
    brigade: OrgUnit | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    only_free: bool = True,
) -> QuerySet[PrecheckSlot]:
    """Slots from now on (or within the dates), with their inspector and brigade joined."""
    qs = PrecheckSlot.objects.select_related("inspector", "brigade").filter(
        starts_at__gt=timezone.now()
    )
    if brigade is not None:
        qs = qs.filter(brigade=brigade)
    tz = timezone.get_current_timezone()
    if date_from is not None:
        qs = qs.filter(starts_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to is not None:
        qs = qs.filter(
            starts_at__lt=dt.datetime.combine(
                date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
        )
    if only_free:
        qs = qs.filter(booked__lt=F("capacity"))
    return qs.order_by("starts_at", "pk")


def bookings_for_user(*, user: Any) -> QuerySet[PrecheckBooking]:
    return scope_queryset(
        PrecheckBooking.objects.select_related("slot__inspector", "brigade", "applicant"), user
    )


def venue_bookings_for_applicant(*, user: Any) -> QuerySet[PrecheckBooking]:
    """The applicant's own live pre-check bookings (the ones an application may link), newest
    first: the venues she can carry into an application. Only her own, whatever her scope."""
    return (
        PrecheckBooking.objects.select_related("slot", "brigade")
        .filter(applicant=user, status__in=ACTIVE_BOOKING_STATUSES)
        .order_by("-slot__starts_at", "-pk")
    )


def _day_bookings(user: Any) -> QuerySet[PrecheckBooking]:
    """The pre-checks on an inspector's days: their own slots' (supervisors: the brigade's)."""
    bookings = bookings_for_user(user=user).exclude(status=BookingStatus.CANCELLED)
    if user.is_inspector:
        bookings = bookings.filter(slot__inspector=user)
    return bookings


def _day_home_visits(user: Any) -> QuerySet[HomeServiceRequest]:
    # An inspector's own visits; supervisors see the brigade's.
    return scope_queryset(
        HomeServiceRequest.objects.select_related("brigade"),
        user,
        owner_field="applicant",
        assigned_field="assigned_to",
    ).filter(status="scheduled")


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def inspector_day(*, user: Any, day: dt.date) -> dict[str, Any]:
    """An inspector's day: booked pre-checks, inspections and verifications due, home visits."""
    start = _local_midnight(day)
    end = start + dt.timedelta(days=1)
    bookings = (
        _day_bookings(user)
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=end)
        .annotate(finding_count=Count("findings"))
        .order_by("slot__starts_at", "pk")
    )
    visits_due = _visits_due(user).filter(next_due__lte=day + dt.timedelta(days=3))
    home_visits = (
        _day_home_visits(user)
        .filter(appointment_at__gte=start, appointment_at__lt=end)
        .order_by("appointment_at")
    )
    return {"bookings": bookings, "visits_due": visits_due, "home_visits": home_visits}


def _visits_due(user: Any) -> QuerySet[PermitApplication]:
    """The on-site inspections and verifications the inspector (or anyone of the brigade, for
    the unassigned and the granted ones) has to make, by due date."""
    return (
        applications_for_user(user=user)
        .filter(status__in=["accepted", "approved", "rectification"], next_due__isnull=False)
        .filter(Q(handled_by=user) | Q(handled_by__isnull=True) | Q(status="approved"))
        .order_by("next_due", "pk")
    )


def inspector_coming_visits(
    *, user: Any, after: dt.date, until: dt.date, limit: int
) -> dict[str, list[Any]]:
    """The visits booked on the days after ``after`` up to ``until`` (inclusive) and the
    inspections and verifications due on them, at most ``limit`` of each kind, earliest first:
    three queries, whatever the brigade holds."""
    start = _local_midnight(after + dt.timedelta(days=1))
    end = _local_midnight(until + dt.timedelta(days=1))
    bookings = (
        _day_bookings(user)
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=end)
        .order_by("slot__starts_at", "pk")[:limit]
    )
    home_visits = (
        _day_home_visits(user)
        .filter(appointment_at__gte=start, appointment_at__lt=end)
        .order_by("appointment_at", "pk")[:limit]
    )
    visits_due = _visits_due(user).filter(next_due__gt=after, next_due__lte=until)[:limit]
    return {
        "bookings": list(bookings),
        "home_visits": list(home_visits),
        "visits_due": list(visits_due),
    }


def next_visit_day(*, user: Any, after: dt.date) -> dt.date | None:
    """The first day after ``after`` with a booked pre-check, a home visit or an inspection or
    verification due (three queries)."""
    start = _local_midnight(after + dt.timedelta(days=1))
    first_due = _visits_due(user).filter(next_due__gt=after).aggregate(first=Min("next_due"))
    firsts = [
        _day_bookings(user)
        .filter(slot__starts_at__gte=start)
        .aggregate(first=Min("slot__starts_at"))["first"],
        _day_home_visits(user)
        .filter(appointment_at__gte=start)
        .aggregate(first=Min("appointment_at"))["first"],
    ]
    found = [timezone.localtime(at).date() for at in firsts if at is not None]
    if first_due["first"] is not None:
        found.append(first_due["first"])
    return min(found) if found else None


# --- Dashboard ----------------------------------------------------------------------------------------
def punctuality_by_brigade(
    *, user: Any, since: dt.datetime, grace_minutes: int = 15
) -> QuerySet[OrgUnit]:
    """For each visible brigade: pre-checks attended and how many started on time (one query)."""
    brigades = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
    if not user.sees_all_brigades:
        brigades = brigades.filter(pk=user.org_unit_id)
    attended = Q(
        precheck_slots__bookings__arrived_at__isnull=False,
        precheck_slots__starts_at__gte=since,
    )
    return brigades.annotate(
        attended=Count("precheck_slots__bookings", filter=attended),
        on_time=Count(
            "precheck_slots__bookings",
            filter=attended
            & Q(
                precheck_slots__bookings__arrived_at__lte=F("precheck_slots__starts_at")
                + dt.timedelta(minutes=grace_minutes)
            ),
        ),
    ).order_by("sort_order")


def first_inspection_pass_rates(*, user: Any) -> dict[str, dict[str, int]]:
    """Pass rate at the first inspection, for venues with a pre-check versus without."""
    qs = applications_for_user(user=user).filter(first_inspection_passed__isnull=False)
    rows = qs.values("first_inspection_passed").annotate(
        with_precheck=Count("pk", filter=Q(precheck__isnull=False)),
        without_precheck=Count("pk", filter=Q(precheck__isnull=True)),
    )
    result = {
        "with_precheck": {"passed": 0, "total": 0},
        "without_precheck": {"passed": 0, "total": 0},
    }
    for row in rows:
        for key in ("with_precheck", "without_precheck"):
            result[key]["total"] += row[key]
            if row["first_inspection_passed"]:
                result[key]["passed"] += row[key]
    return result


def status_counts(*, user: Any) -> dict[str, int]:
    """How many of the caller's applications are in each status, drafts left out (one query)."""
    rows = (
        applications_for_user(user=user)
        .exclude(status="draft")
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}


def channel_counts(*, user: Any) -> dict[str, int]:
    """How many of the caller's applications came online and at the window, drafts left out
    (one query; issue 9)."""
    rows = (
        applications_for_user(user=user)
        .exclude(status="draft")
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
    )
    return {row["channel"]: row["n"] for row in rows}


def brigade_permit_summary(*, user: Any, today: dt.date | None = None) -> QuerySet[OrgUnit]:
    """For each visible brigade: open, overdue and green-channel applications (one query)."""
    today = today or timezone.localdate()
    brigades = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
    if not user.sees_all_brigades:
        brigades = brigades.filter(pk=user.org_unit_id)
    open_ = Q(permit_applications__status__in=OPEN_STATUSES)
    return brigades.annotate(
        open_count=Count("permit_applications", filter=open_),
        overdue_count=Count(
            "permit_applications", filter=open_ & Q(permit_applications__next_due__lt=today)
        ),
        green_count=Count(
            "permit_applications", filter=open_ & Q(permit_applications__green_channel=True)
        ),
    ).order_by("sort_order", "code")


def internal_targets(application: PermitApplication) -> dict[str, dt.date]:
    """The green channel's internal targets of the application's clocks, by milestone.

    Shown beside the statutory dates, never in their place (not on letters, not in the API).
    """
    return {
        clock.milestone: clock.target_date
        for clock in clocks_of(application).exclude(outcome=Clock.Outcome.CANCELLED)
        if clock.target_date is not None
    }


# --- Scoped lists the pages share -----------------------------------------------------------------
def home_requests_for_user(*, user: Any) -> QuerySet[HomeServiceRequest]:
    """Door-to-door requests: the applicant's own, the brigade's for its staff."""
    return scope_queryset(
        HomeServiceRequest.objects.select_related("brigade", "assigned_to", "applicant"), user
    )


def slots_for_user(*, user: Any) -> QuerySet[PrecheckSlot]:
    """Slots as staff manage them: their brigade's (every brigade for the detachment)."""
    return scope_queryset(PrecheckSlot.objects.all(), user, owner_field=None)


def applicant_county(*, user: Any) -> OrgUnit | None:
    """The county an applicant most likely books in: that of her latest pre-check booking's venue
    (or slot), else that of her latest application; ``None`` for somebody new (issue 9)."""
    booking = (
        PrecheckBooking.objects.filter(applicant=user)
        .select_related("brigade", "venue_county")
        .order_by("-created_at", "-pk")
        .first()
    )
    if booking is not None:
        return booking.venue_county or booking.brigade
    application = (
        PermitApplication.objects.filter(applicant=user)
        .select_related("brigade")
        .order_by("-created_at", "-pk")
        .first()
    )
    return application.brigade if application is not None else None
