"""Reads of the officers' roster and the recusal register, and the roster a draw publishes.

``draw_roster`` returns the inspectors, exclusions and previous pairs in the shape of the
published draw data (``inspections/drawing.py``), in three queries whatever the size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from lishui_fire.accounts.models import Role

from .models import (
    EXCLUDING_CONFLICT_STATUSES,
    ConflictDeclaration,
    InspectionAssignment,
    InspectionStatus,
    OfficerCertificate,
)

# Who may declare a conflict (and be drawn, with a certificate): the brigades' enforcement
# officers and their supervisors.
DECLARING_ROLES = frozenset({Role.INSPECTOR, Role.BRIGADE_SUPERVISOR, Role.DETACHMENT_SUPERVISOR})
# Who reads the register besides the declarant: supervisors (of the brigade; the detachment's:
# all) and the discipline officers (纪检). Administrators and legal officers do not.
REGISTER_ROLES = frozenset(
    {Role.BRIGADE_SUPERVISOR, Role.DETACHMENT_SUPERVISOR, Role.DISCIPLINE_OFFICER}
)
# Officers a draw may pick: enforcement officers of the brigade (supervisors inspect too).
DRAWN_ROLES = (Role.INSPECTOR, Role.BRIGADE_SUPERVISOR)
# An inspection that took place: its two officers are the unit's "previous pair".
VISITED_STATUSES = (
    InspectionStatus.RECORDED,
    InspectionStatus.RECTIFYING,
    InspectionStatus.CLOSED,
    InspectionStatus.REFERRED,
)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def declarations_for_user(*, user: Any) -> QuerySet[ConflictDeclaration]:
    """The declarations ``user`` may read: their own, and for supervisors and discipline
    officers those of their brigade (every brigade at the detachment)."""
    queryset = ConflictDeclaration.objects.select_related(
        "officer", "enterprise", "brigade", "decided_by"
    )
    if not _signed_in(user) or not user.is_portal_staff:
        return queryset.none()
    own = Q(officer_id=user.pk)
    if user.role in REGISTER_ROLES:
        if user.sees_all_brigades:
            return queryset
        return queryset.filter(own | Q(brigade_id=user.org_unit_id))
    if user.role in DECLARING_ROLES:
        return queryset.filter(own)
    return queryset.none()


def register_for_user(*, user: Any) -> QuerySet[ConflictDeclaration]:
    """The register page: the brigade's declarations (all at the detachment), the declarant's
    own excluded only when they read it as a supervisor of the same brigade (they are in it)."""
    if not _signed_in(user) or user.role not in REGISTER_ROLES:
        return ConflictDeclaration.objects.none()
    return declarations_for_user(user=user).order_by("status", "-declared_at", "-pk")


def certificates_for_user(*, user: Any) -> QuerySet[OfficerCertificate]:
    """Certificates: supervisors and administrators, of their brigade's officers (all at the
    detachment); an officer sees their own."""
    queryset = OfficerCertificate.objects.select_related("officer", "officer__org_unit")
    if not _signed_in(user) or not user.is_portal_staff:
        return queryset.none()
    if user.role in (Role.BRIGADE_SUPERVISOR, Role.DETACHMENT_SUPERVISOR, Role.ADMINISTRATOR):
        if user.sees_all_brigades:
            return queryset
        return queryset.filter(Q(officer__org_unit_id=user.org_unit_id) | Q(officer_id=user.pk))
    return queryset.filter(officer_id=user.pk)


def certified_officers(*, brigade_ids: Iterable[int], on_date: dt.date):
    """Active enforcement officers of these brigades with a certificate valid on ``on_date``."""
    from django.contrib.auth import get_user_model

    valid = OfficerCertificate.objects.filter(
        officer=OuterRef("pk"), active=True, valid_from__lte=on_date, valid_until__gte=on_date
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=DRAWN_ROLES, org_unit_id__in=list(brigade_ids))
        .filter(pk__in=Subquery(valid.values("officer_id")))
        .select_related("org_unit")
        .order_by("pk")
    )


def officer_code(*, brigade_code: str, officer_id: int) -> str:
    """The public pseudonymous code of an officer in the draw data (no name)."""
    return f"{brigade_code}-{officer_id:04d}"


def draw_roster(
    *, brigade_ids: Iterable[int], on_date: dt.date
) -> tuple[list[dict], list[dict], list[dict]]:
    """(inspectors, exclusions, previous_pairs) for a draw over these brigades on ``on_date``,
    in the published data's shape, each list in a fixed order (ascending ids) so that the same
    roster always has the same fingerprint. Three queries.

    * inspectors: certified, active enforcement officers of the brigades;
    * exclusions: their pending or upheld conflict declarations (any unit);
    * previous_pairs: for each unit of these brigades, the two officers of its most recent
      inspection that took place (recorded, rectifying, closed or referred; latest visit, then
      latest id), when it had exactly two officers.
    """
    brigade_ids = list(brigade_ids)
    officers = list(certified_officers(brigade_ids=brigade_ids, on_date=on_date))
    inspectors = [
        {
            "id": o.pk,
            "code": officer_code(brigade_code=o.org_unit.code, officer_id=o.pk),
            "brigade": o.org_unit.code,
        }
        for o in officers
    ]
    officer_ids = [o.pk for o in officers]
    exclusions = [
        {"inspector": officer, "candidate": enterprise}
        for officer, enterprise in ConflictDeclaration.objects.filter(
            officer_id__in=officer_ids, status__in=EXCLUDING_CONFLICT_STATUSES
        )
        .order_by("officer_id", "enterprise_id")
        .values_list("officer_id", "enterprise_id")
        .distinct()
    ]
    # One pass over the assignments of the brigades' past visits, newest visit of each unit first
    # (a correlated "latest visit" subquery costs seconds on PostgreSQL at 100,000 units).
    rows = (
        InspectionAssignment.objects.filter(
            inspection__brigade_id__in=brigade_ids, inspection__status__in=VISITED_STATUSES
        )
        .order_by(
            "inspection__enterprise_id",
            F("inspection__visited_at").desc(nulls_last=True),
            "-inspection_id",
        )
        .values_list("inspection__enterprise_id", "inspection_id", "officer_id")
    )
    latest: dict[int, int] = {}
    pairs: dict[int, list[int]] = defaultdict(list)
    for enterprise, visit, officer in rows.iterator(chunk_size=5_000):
        if latest.setdefault(enterprise, visit) == visit:
            pairs[enterprise].append(officer)
    previous_pairs = [
        {"candidate": enterprise, "inspectors": sorted(pair)}
        for enterprise, pair in sorted(pairs.items())
        if len(pair) == 2
    ]
    return inspectors, exclusions, previous_pairs
