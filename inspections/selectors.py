"""Reads of measure 3, scoped to what the user may see (404 alike for missing and forbidden).

Each part of the app keeps its reads in its own section.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import CASE_READER_ROLES
from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.validators import normalise_code

from .models import (
    Complaint,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
    InspectionStatus,
    PlanStatus,
)

# --- intake ---
OUTSIDE_PLAN_KINDS = tuple(k for k in InspectionKind.values if k != InspectionKind.RANDOM)


def _with_people(queryset: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return queryset.select_related("enterprise", "brigade", "complaint").prefetch_related(
        Prefetch(
            "assignments",
            queryset=InspectionAssignment.objects.select_related("officer").order_by(
                "-is_lead", "pk"
            ),
        )
    )


def outside_plan_inspections_for_user(*, user: Any) -> QuerySet[Inspection]:
    """Inspections outside plans in the user's scope: the handling staff and the legal officer
    of the brigade (every brigade at the detachment); an inspector only those assigned to them
    (their supervisors see the brigade's)."""
    queryset = scope_queryset(
        Inspection.objects.filter(kind__in=OUTSIDE_PLAN_KINDS),
        user,
        owner_field=None,
        brigade_field="brigade",
        staff_roles=CASE_READER_ROLES,
    )
    if kernel.has_role(user, "inspector"):
        queryset = queryset.filter(assignments__officer=user)
    return _with_people(queryset).order_by("-created_at", "-pk")


def get_outside_plan_inspection_for_user(*, user: Any, pk: Any) -> Inspection:
    try:
        return outside_plan_inspections_for_user(user=user).get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def complaints_for_user(*, user: Any) -> QuerySet[Complaint]:
    scoped = outside_plan_inspections_for_user(user=user).filter(kind=InspectionKind.COMPLAINT)
    return (
        Complaint.objects.filter(inspection__in=scoped.values("pk"))
        .select_related("inspection__enterprise", "inspection__brigade")
        .order_by("-received_at", "-pk")
    )


def complaint_as_registered(*, pk: int) -> Complaint:
    """A complaint just registered, read back for the staff member who registered it (whatever
    their scope: they typed it in)."""
    return Complaint.objects.select_related("inspection__enterprise", "inspection__brigade").get(
        pk=pk
    )


def inspection_as_opened(*, pk: int) -> Inspection:
    """An inspection just opened, read back for the staff member who opened it."""
    return _with_people(Inspection.objects.filter(pk=pk)).get()


def complaint_clocks(inspections: list[Inspection]) -> dict[int, Any]:
    """Inspection pk → the verification clock of its complaint (the latest), in one query."""
    from django.contrib.contenttypes.models import ContentType

    from lishui_fire.core.models import Clock

    from .rules import COMPLAINT_MILESTONE

    by_complaint = {str(i.complaint.pk): i.pk for i in inspections if getattr(i, "complaint", None)}
    if not by_complaint:
        return {}
    rows = (
        Clock.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint),
            object_id__in=list(by_complaint),
            milestone=COMPLAINT_MILESTONE,
        )
        .select_related("rule")
        .order_by("created_at", "pk")
    )
    return {by_complaint[c.object_id]: c for c in rows}


def get_complaint_for_user(*, user: Any, pk: Any) -> Complaint:
    try:
        return complaints_for_user(user=user).get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- The enterprise's own view ---
def enterprise_inspections_for_user(*, user: Any) -> QuerySet[Inspection]:
    """Every inspection of the units the signed-in applicant is the registered contact of
    (``rules.is_registered_contact``: the unit's credit code on the account and the account's
    phone the one the registry holds); nobody else's, and nothing for staff here."""
    if not kernel.is_applicant(user):
        return Inspection.objects.none()
    uscc = normalise_code(user.enterprise_uscc or "")
    phone = (user.phone or "").strip()
    if not uscc or not phone:
        return Inspection.objects.none()
    return (
        Inspection.objects.filter(Q(enterprise__uscc=uscc) & Q(enterprise__contact_phone=phone))
        .select_related("enterprise", "brigade")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=InspectionAssignment.objects.select_related("officer").order_by(
                    "-is_lead", "pk"
                ),
            )
        )
        .order_by("-created_at", "-pk")
    )


def get_enterprise_inspection_for_user(*, user: Any, pk: Any) -> Inspection:
    try:
        return enterprise_inspections_for_user(user=user).get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- dashboard ---
# The supervisors' view of measure 3 for a brigade or the detachment. Every section is a fixed
# number of aggregate queries, whatever the number of units, plans or inspections.
@dataclass(frozen=True)
class DashboardScope:
    """Which brigades the figures cover (``None``: every brigade) and which calendar year."""

    brigade_ids: tuple[int, ...] | None
    year: int

    def filter(self, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        if self.brigade_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.brigade_ids})

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        from lishui_fire.core.clocks import local_midnight

        return local_midnight(dt.date(self.year, 1, 1)), local_midnight(
            dt.date(self.year + 1, 1, 1)
        )


@dataclass(frozen=True)
class ResolvedScope:
    scope: DashboardScope
    brigades: list[Any]  # the brigades the figures cover
    brigade: Any  # the one brigade chosen (or the brigade supervisor's own), else None
    by_id: dict[int, Any]  # every brigade the user sees, by id


def resolve_dashboard_scope(*, user: Any, brigade_code: str, year: int) -> ResolvedScope:
    """A brigade supervisor's own brigade (another existing brigade: 404, like a missing one);
    the detachment's and administrators' every brigade, or the one named. An unknown code is
    the caller's input error to report (this returns the whole visible scope for it)."""
    from lishui_fire.accounts.models import OrgUnit
    from lishui_fire.core.selectors import brigades_for_user

    visible = list(brigades_for_user(user=user))
    all_brigades = kernel.sees_all_brigades(user)
    code = (brigade_code or "").strip().upper()
    brigade = next((b for b in visible if b.code == code), None) if code else None
    foreign = code and brigade is None and not all_brigades
    if foreign and OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE, code=code).exists():
        raise Http404
    if brigade is None and not all_brigades and visible:
        brigade = visible[0]
    covered = [brigade] if brigade is not None else visible
    ids = tuple(b.pk for b in covered) if (brigade is not None or not all_brigades) else None
    return ResolvedScope(
        scope=DashboardScope(brigade_ids=ids, year=year),
        brigades=covered,
        brigade=brigade,
        by_id={b.pk: b for b in visible},
    )


def capped_inspections(*, year: int) -> QuerySet[Inspection]:
    """The inspections that count toward a grade's yearly cap in ``year`` ("无事不扰"): planned,
    random, campaign and joint checks (``rules.CAPPED_KINDS``) visited in the year, or opened in
    it and not yet visited; cancelled ones do not count.

    The one query of the cap: the intake's refusal, the draw's candidates and the dashboard's
    proof all count these rows, so the page cannot show another figure than the one enforced.
    """
    from lishui_fire.core.clocks import local_midnight

    from . import rules

    start, end = local_midnight(dt.date(year, 1, 1)), local_midnight(dt.date(year + 1, 1, 1))
    return (
        Inspection.objects.filter(kind__in=rules.CAPPED_KINDS)
        .exclude(status=InspectionStatus.CANCELLED)
        .annotate(cap_moment=Coalesce("visited_at", "created_at"))
        .filter(cap_moment__gte=start, cap_moment__lt=end)
    )


def plan_coverage(*, scope: DashboardScope) -> list[InspectionPlan]:
    """The year's published and drawn plans that sample the scope, each with its inspections in
    the scope counted: drawn (not cancelled), visited, ordered to correct, rectified (closed after
    an order), results published. One query."""
    return list(plan_coverage_queryset(scope=scope))


def plan_coverage_queryset(*, scope: DashboardScope) -> QuerySet[InspectionPlan]:
    start, end = dt.date(scope.year, 1, 1), dt.date(scope.year, 12, 31)
    inspections = Q(inspections__kind=InspectionKind.RANDOM) & ~Q(
        inspections__status=InspectionStatus.CANCELLED
    )
    if scope.brigade_ids is not None:
        inspections &= Q(inspections__brigade_id__in=scope.brigade_ids)
        # The brigades the plan samples (a plan of the detachment may sample several).
        samples = InspectionPlan.brigades.through.objects.filter(
            inspectionplan_id=OuterRef("pk"), orgunit_id__in=scope.brigade_ids
        )
    else:
        samples = None
    ordered = inspections & Q(inspections__result=InspectionResult.ORDERED_TO_CORRECT)
    queryset = InspectionPlan.objects.filter(
        status__in=[PlanStatus.PUBLISHED, PlanStatus.DRAWN],
        period_start__lte=end,
        period_end__gte=start,
    )
    if samples is not None:
        queryset = queryset.filter(Exists(samples))
    return queryset.annotate(
        drawn_n=Count("inspections", filter=inspections),
        visited_n=Count(
            "inspections", filter=inspections & Q(inspections__visited_at__isnull=False)
        ),
        ordered_n=Count("inspections", filter=ordered),
        rectified_n=Count(
            "inspections", filter=ordered & Q(inspections__status=InspectionStatus.CLOSED)
        ),
        published_n=Count(
            "inspections",
            filter=inspections & Q(inspections__published_result__isnull=False),
        ),
    ).order_by("period_start", "pk")[:DASHBOARD_PLANS]


DASHBOARD_PLANS = 50
DASHBOARD_CLOCKS = 20


@dataclass(frozen=True)
class OverdueClocks:
    by_rule: list[dict[str, Any]]  # rule code, name, brigade, count
    oldest: list[tuple[Any, Inspection | None]]  # the longest overdue clocks and their inspection
    total: int


def _overdue(scope: DashboardScope, now: dt.datetime) -> tuple[QuerySet[Any], dict[Any, Any]]:
    from django.contrib.contenttypes.models import ContentType

    from lishui_fire.core.models import Clock

    types = ContentType.objects.get_for_models(Inspection, Complaint)
    live = scope.filter(
        Clock.objects.filter(
            stopped_at__isnull=True,
            status=Clock.Status.RUNNING,
            due_at__lte=now,
            content_type__in=list(types.values()),
        ),
        "brigade_id",
    )
    return live, types


def overdue_clock_count(*, scope: DashboardScope, now: dt.datetime) -> int:
    return _overdue(scope, now)[0].count()


def overdue_clocks(*, scope: DashboardScope, now: dt.datetime) -> OverdueClocks:
    """Live statutory clocks of the app's subjects (inspections, complaints) that ran out: counted
    per rule and brigade, and the longest overdue with the inspection they belong to. Four
    queries (content types are cached)."""
    live, types = _overdue(scope, now)
    by_rule = list(
        live.order_by()
        .values("rule__code", "rule__name", "brigade_id")
        .annotate(n=Count("pk"))
        .order_by("brigade_id", "rule__code")
    )
    oldest = list(
        live.select_related("rule", "brigade").order_by("due_at", "pk")[:DASHBOARD_CLOCKS]
    )
    inspection_ids = {int(c.object_id) for c in oldest if c.content_type_id == types[Inspection].pk}
    complaint_ids = {int(c.object_id) for c in oldest if c.content_type_id == types[Complaint].pk}
    by_complaint = dict(
        Complaint.objects.filter(pk__in=complaint_ids).values_list("pk", "inspection_id")
    )
    wanted = inspection_ids | set(by_complaint.values())
    inspections = {
        i.pk: i for i in Inspection.objects.filter(pk__in=wanted).select_related("enterprise")
    }

    def subject(clock: Any) -> Inspection | None:
        pk = int(clock.object_id)
        if clock.content_type_id == types[Complaint].pk:
            inspection_pk = by_complaint.get(pk)
            return None if inspection_pk is None else inspections.get(inspection_pk)
        return inspections.get(pk)

    return OverdueClocks(
        by_rule=by_rule,
        oldest=[(c, subject(c)) for c in oldest],
        total=sum(row["n"] for row in by_rule),
    )


def capped_grades() -> dict[str, Any]:
    """The grades of the scale that carry a yearly cap (code → grade row): data, not "A"."""
    from lishui_fire.enterprises.selectors import credit_grades_by_code

    return {
        code: grade
        for code, grade in credit_grades_by_code().items()
        if grade.max_planned_inspections_per_year is not None
    }


def capped_units(*, scope: DashboardScope, grades: dict[str, Any]) -> QuerySet[Any]:
    """The units of a capped grade inspected this year, with their count of capped inspections
    (random/planned apart from campaign and joint) and their grade's cap, most inspected first.
    Rows of ``capped_inspections`` grouped by unit: one query for any page of it."""
    from . import rules

    caps = Case(
        *[
            When(enterprise__credit_rating=code, then=Value(g.max_planned_inspections_per_year))
            for code, g in grades.items()
        ],
        default=Value(None),
        output_field=IntegerField(),
    )
    others = [k for k in rules.CAPPED_KINDS if k != InspectionKind.RANDOM]
    return (
        scope.filter(capped_inspections(year=scope.year), "enterprise__brigade_id")
        .filter(enterprise__credit_rating__in=list(grades))
        .order_by()
        .values(
            "enterprise_id",
            "enterprise__name",
            "enterprise__credit_rating",
            "enterprise__brigade_id",
        )
        .annotate(
            counted=Count("pk"),
            random_n=Count("pk", filter=Q(kind=InspectionKind.RANDOM)),
            other_n=Count("pk", filter=Q(kind__in=others)),
            cap=caps,
        )
        .order_by("-counted", "enterprise__name", "enterprise_id")
    )


def capped_summary(*, scope: DashboardScope, grades: dict[str, Any]) -> dict[str, int]:
    """How many capped-grade units were inspected this year, the most inspections any had, and
    how many are above their grade's cap (the promise says: none). One query, over the same
    grouped rows as ``capped_units``."""
    if not grades:
        return {"units": 0, "most": 0, "over": 0}
    figures = capped_units(scope=scope, grades=grades).aggregate(
        units=Count("enterprise_id"),
        most=Max("counted"),
        over=Sum(Case(When(counted__gt=F("cap"), then=Value(1)), default=Value(0))),
    )
    return {key: figures[key] or 0 for key in ("units", "most", "over")}


def inspector_load(*, scope: DashboardScope) -> list[dict[str, Any]]:
    """Assignments per officer this year in the scope (cancelled inspections left out): in all,
    still open, and from plans' draws; most loaded first. One query."""
    start, end = scope.bounds
    open_statuses = [
        InspectionStatus.ASSIGNED,
        InspectionStatus.SCHEDULED,
        InspectionStatus.RECORDED,
        InspectionStatus.RECTIFYING,
    ]
    rows = (
        scope.filter(
            InspectionAssignment.objects.filter(
                inspection__created_at__gte=start, inspection__created_at__lt=end
            ).exclude(inspection__status=InspectionStatus.CANCELLED),
            "inspection__brigade_id",
        )
        .order_by()
        .values("officer_id", "officer__real_name", "officer__username", "officer__org_unit__code")
        .annotate(
            total=Count("pk"),
            open_n=Count("pk", filter=Q(inspection__status__in=open_statuses)),
            drawn_n=Count("pk", filter=Q(inspection__kind=InspectionKind.RANDOM)),
        )
        .order_by("-total", "officer__username")
    )
    return list(rows)


def hazards(*, scope: DashboardScope, today: dt.date, brigades: list[Any]) -> list[dict[str, Any]]:
    """Per brigade of ``brigades`` this year: problems found in visits (and corrected on the
    spot), orders to correct, rectified by the deadline (a passed re-check, done by the deadline
    day as ``rules_visits.rectified_on_time`` counts it: the day the officers found, else the day the
    unit asked for the re-check), settled late or not rectified, and still open past the
    deadline. Two queries."""
    from django.db.models.functions import TruncDate

    from .models import InspectionFinding

    start, end = scope.bounds
    findings = {
        row["inspection__brigade_id"]: row
        for row in scope.filter(
            InspectionFinding.objects.filter(
                inspection__visited_at__gte=start, inspection__visited_at__lt=end
            ),
            "inspection__brigade_id",
        )
        .order_by()
        .values("inspection__brigade_id")
        .annotate(found=Count("pk"), on_spot=Count("pk", filter=Q(corrected_on_spot=True)))
    }
    passed = (
        Inspection.objects.filter(
            follows=OuterRef("pk"),
            kind=InspectionKind.RECHECK,
            result__in=[InspectionResult.NO_PROBLEM, InspectionResult.CORRECTED_ON_SPOT],
        )
        .annotate(
            done_on=Coalesce("rectified_on", OuterRef("requested_on"), output_field=DateField())
        )
        .filter(done_on__lte=OuterRef("rectify_by"))
    )
    ordered = {
        row["brigade_id"]: row
        for row in scope.filter(
            Inspection.objects.filter(
                result=InspectionResult.ORDERED_TO_CORRECT,
                visited_at__gte=start,
                visited_at__lt=end,
            ),
            "brigade_id",
        )
        .annotate(requested_on=TruncDate("recheck_requested_at"))
        .annotate(on_time=Exists(passed))
        .order_by()
        .values("brigade_id")
        .annotate(
            ordered=Count("pk"),
            on_time_n=Count("pk", filter=Q(on_time=True)),
            settled=Count(
                "pk", filter=Q(status__in=[InspectionStatus.CLOSED, InspectionStatus.REFERRED])
            ),
            open_late=Count(
                "pk", filter=Q(status=InspectionStatus.RECTIFYING, rectify_by__lt=today)
            ),
        )
    }
    rows = []
    for brigade in brigades:
        f = findings.get(brigade.pk, {})
        o = ordered.get(brigade.pk, {})
        rows.append(
            {
                "brigade": brigade,
                "found": f.get("found", 0),
                "on_spot": f.get("on_spot", 0),
                "ordered": o.get("ordered", 0),
                "on_time": o.get("on_time_n", 0),
                "late": o.get("settled", 0) - o.get("on_time_n", 0),
                "open_late": o.get("open_late", 0),
            }
        )
    return rows
