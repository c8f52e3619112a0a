"""Reads of the visits part, scoped to what the user may see (404 alike for missing and
forbidden): the inspectors' list, an inspection, its documents and photos, the live clocks, the
checklist; and the inspected unit's confirmed inspections and documents (for the enterprise
pages, on top of the intake part's ``selectors.enterprise_inspections_for_user``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from lishui_fire.accounts.models import CASE_READER_ROLES
from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.models import Clock

from .models import (
    ChecklistItem,
    Inspection,
    InspectionAssignment,
    InspectionDocument,
    InspectionFinding,
    InspectionStatus,
)
from .selectors import enterprise_inspections_for_user

# What the inspected unit sees: the visit is on the record once both officers confirmed it.
CONFIRMED_STATUSES = frozenset(
    {InspectionStatus.RECTIFYING, InspectionStatus.CLOSED, InspectionStatus.REFERRED}
)


def _visit_people(queryset: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return queryset.select_related("enterprise", "brigade", "plan", "follows").prefetch_related(
        Prefetch(
            "assignments",
            queryset=InspectionAssignment.objects.select_related("officer").order_by(
                "-is_lead", "pk"
            ),
        )
    )


def inspections_for_user(*, user: Any) -> QuerySet[Inspection]:
    """What a member of staff may see: an inspector only the inspections assigned to them,
    supervisors and the legal officer their brigade's, detachment staff every brigade's; the
    discipline officer and applicants none (the unit's contact reads through
    ``inspections_for_enterprise_contact``)."""
    return scope_queryset(
        Inspection.objects.all(),
        user,
        owner_field=None,
        brigade_field="brigade",
        assigned_field="assignments__officer",
        staff_roles=CASE_READER_ROLES,
    )


def inspection_list_for_user(*, user: Any) -> QuerySet[Inspection]:
    """The inspectors' and supervisors' list: the most urgent statutory date first."""
    return _visit_people(inspections_for_user(user=user)).order_by(
        "next_due", "planned_date", "-created_at", "-pk"
    )


def get_inspection_for_user(*, user: Any, pk: Any) -> Inspection:
    try:
        return _visit_people(inspections_for_user(user=user)).get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def inspections_for_enterprise_contact(*, user: Any) -> QuerySet[Inspection]:
    """The confirmed inspections of the units whose registered contact ``user`` is (the intake
    part's ``enterprise_inspections_for_user``), newest first; nothing for anyone else."""
    units = enterprise_inspections_for_user(user=user).values("pk")
    return _visit_people(
        Inspection.objects.filter(pk__in=units, status__in=CONFIRMED_STATUSES)
    ).order_by("-visited_at", "-pk")


def documents_for_enterprise_contact(*, user: Any) -> QuerySet[InspectionDocument]:
    """Every document of the unit's confirmed inspections (for the enterprise pages)."""
    return (
        InspectionDocument.objects.filter(
            inspection__in=inspections_for_enterprise_contact(user=user).values("pk")
        )
        .select_related("inspection")
        .order_by("-issued_at", "-pk")
    )


def get_document_for_user(*, user: Any, pk: Any) -> InspectionDocument:
    """A document for its officers, the brigade's staff (as they read the inspection) and the
    unit's registered contact; 404 for anyone else."""
    readable = inspections_for_user(user=user).values("pk")
    if getattr(user, "is_applicant", False):
        readable = inspections_for_enterprise_contact(user=user).values("pk")
    try:
        return InspectionDocument.objects.select_related("inspection", "brigade").get(
            pk=pk, inspection__in=readable
        )
    except (InspectionDocument.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_finding_for_user(*, user: Any, pk: Any) -> InspectionFinding:
    readable = inspections_for_user(user=user).values("pk")
    if getattr(user, "is_applicant", False):
        readable = inspections_for_enterprise_contact(user=user).values("pk")
    try:
        return InspectionFinding.objects.select_related("inspection").get(
            pk=pk, inspection__in=readable
        )
    except (InspectionFinding.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def live_clocks_by_inspection(inspections: list[Inspection]) -> dict[int, list[Clock]]:
    """The running clocks of these inspections, one query (the lists and the API show them)."""
    if not inspections:
        return {}
    content_type = ContentType.objects.get_for_model(Inspection)
    found: dict[int, list[Clock]] = defaultdict(list)
    clocks = (
        Clock.objects.filter(
            content_type=content_type,
            object_id__in=[str(i.pk) for i in inspections],
            stopped_at__isnull=True,
        )
        .select_related("rule")
        .order_by("due_at", "pk")
    )
    for clock in clocks:
        found[int(clock.object_id)].append(clock)
    return dict(found)


def checklist_items_for(inspection: Inspection) -> list[ChecklistItem]:
    """The items of the inspected unit's venue type (and of every type), key-unit duties for
    key units only."""
    enterprise = inspection.enterprise
    items = ChecklistItem.objects.filter(active=True, venue_type__in=["", enterprise.venue_type])
    if not enterprise.key_unit:
        items = items.filter(key_units_only=False)
    return list(items.order_by("sort_order", "code", "pk"))


def plan_checklist_texts(inspection: Inspection) -> list[str]:
    """The plan's own inspection items, when the plans part keeps them (``plan.items`` with a
    ``text``); none otherwise."""
    plan = inspection.plan
    if plan is None:
        return []
    items = getattr(plan, "items", None)
    if items is None or not hasattr(items, "all"):
        return []
    return [str(getattr(item, "text", item)) for item in items.all()]
