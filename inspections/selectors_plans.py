"""Reads of the plans part: the target roster of a plan and the plans' pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from lishui_fire.enterprises.models import CreditEvent, CreditEventKind, Enterprise
from lishui_fire.enterprises.selectors import credit_grades_by_code

from . import rules
from .models import (
    Inspection,
    InspectionKind,
    InspectionPlan,
    PlanStatus,
    PublishedResult,
)
from .selectors import capped_inspections
from .workflow import INSPECTION_WORKFLOW


def plan_candidates(
    *, brigade_ids: Collection[int], classes: Collection[str], year: int
) -> list[dict[str, Any]]:
    """The target roster of a plan: the registry's units of ``brigade_ids`` in ``classes``,
    minus units with an open inspection and units whose grade's yearly cap of planned and
    random inspections is already reached in ``year``; in the published data's shape, by id.

    One query: the class facts (penalised in the previous calendar year), the open inspection
    and the count of capped inspections this year are subqueries.
    """
    penalised = CreditEvent.objects.filter(
        enterprise=OuterRef("pk"),
        kind=CreditEventKind.PENALTY,
        occurred_on__gte=dt.date(year - 1, 1, 1),
        occurred_on__lt=dt.date(year, 1, 1),
    )
    open_inspection = Inspection.objects.filter(
        enterprise=OuterRef("pk"), status__in=INSPECTION_WORKFLOW.open_statuses
    )
    # The same rows the intake's refusal and the dashboard's proof count (one definition).
    capped = (
        capped_inspections(year=year)
        .filter(enterprise=OuterRef("pk"))
        .order_by()
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Enterprise.objects.filter(brigade_id__in=list(brigade_ids))
        .annotate(
            penalised=Exists(penalised),
            has_open=Exists(open_inspection),
            capped_n=Coalesce(Subquery(capped, output_field=IntegerField()), 0),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "name",
            "uscc",
            "brigade__code",
            "venue_type",
            "key_unit",
            "credit_rating",
            "penalised",
            "has_open",
            "capped_n",
        )
    )
    grades = credit_grades_by_code()
    wanted = set(classes)
    candidates = []
    for pk, name, uscc, brigade, venue_type, key_unit, grade, penalised_, has_open, n in rows:
        venue_class = rules.venue_class(
            key_unit=key_unit, venue_type=venue_type, penalised_last_year=penalised_
        )
        if venue_class not in wanted or has_open:
            continue
        cap = grades[grade].max_planned_inspections_per_year if grade in grades else None
        if rules.blocked_by_cap(kind=InspectionKind.RANDOM, cap=cap, capped_this_year=n):
            continue
        candidates.append(
            {
                "id": pk,
                "name": name,
                "uscc": uscc,
                "brigade": brigade,
                "class": str(venue_class),
                "grade": grade,
            }
        )
    return candidates


def plan_detail_queryset() -> QuerySet[InspectionPlan]:
    """A plan with what its pages show, in a fixed number of queries."""
    return InspectionPlan.objects.select_related(
        "org_unit", "previous", "next_version", "draw", "published_by"
    ).prefetch_related(
        "brigades",
        "classes",
        "ratios",
        "items",
        Prefetch(
            "published_results",
            queryset=PublishedResult.objects.select_related("inspection__enterprise"),
        ),
    )


def public_plans() -> QuerySet[InspectionPlan]:
    """Every plan ever published (superseded versions included), newest first."""
    return (
        InspectionPlan.objects.exclude(status=PlanStatus.DRAFT)
        .select_related("org_unit", "draw", "next_version")
        .prefetch_related("brigades")
        .order_by("-published_at", "-pk")
    )


# --- Results and their publication clock -----------------------------------------------------------
# The kernel rule a confirmed plan visit's publication clock runs on (DOMAIN.md §2.3).
RESULT_PUBLICATION_RULE = "inspection_result_publication"


def publication_clocks(inspections: Iterable[Inspection]) -> Any:
    """The result-publication clocks of these inspections (any milestone name the visits part
    gives them: the rule's code is what they share)."""
    from django.contrib.contenttypes.models import ContentType

    from lishui_fire.core.models import Clock

    return Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Inspection),
        object_id__in=[str(i.pk) for i in inspections],
        rule__code=RESULT_PUBLICATION_RULE,
    )


def late_results(plan: InspectionPlan, *, now: dt.datetime) -> list[dict[str, Any]]:
    """The plan's inspections whose result is not published and whose publication time limit
    has run out, by due date then name."""
    inspections = {i.pk: i for i in plan.inspections.select_related("enterprise")}
    late = [
        {"name": inspections[int(clock.object_id)].enterprise.name, "due": clock.due_date}
        for clock in publication_clocks(inspections.values()).filter(
            stopped_at__isnull=True, due_at__lt=now
        )
    ]
    from django.utils import timezone

    fallback = timezone.localdate(now)
    return sorted(late, key=lambda row: (row["due"] or fallback, row["name"]))
