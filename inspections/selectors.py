"""Reads of measure 3, scoped to what the user may see (404 alike for missing and forbidden).

Each part of the app keeps its reads in its own section.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import CASE_READER_ROLES
from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.validators import normalise_code

from .models import Complaint, Inspection, InspectionAssignment, InspectionKind

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
