"""Who may see which rows: the scoping every app uses, enforced in querysets.

* An applicant sees only the records they own.
* Staff see the records of their brigade's jurisdiction; detachment staff (and administrators)
  see every brigade. Which staff roles see a kind of row at all is the caller's ``staff_roles``
  (by default the roles that handle cases: the legal and the discipline officer see nothing
  unless an app's policy lets them in, see ``accounts/policies.py``).
* "Assigned to me" (``assigned_field``): an inspector sees only the rows assigned to them;
  supervisors see their brigade's.
* "Never the brigade that handled it" (``exclude_handling_brigade_field``): callback answers and
  misconduct clues are hidden from the staff of the brigade that handled the case; the
  detachment and the discipline officers see them.

Objects outside the caller's scope are answered like missing ones (404), so the portal never
reveals that another applicant's record exists.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from .models import HANDLING_ROLES, Role

M = TypeVar("M", bound=Model)


def scope_queryset(
    queryset: QuerySet[M],
    user: Any,
    *,
    owner_field: str | None = "applicant",
    brigade_field: str | None = "brigade",
    assigned_field: str | None = None,
    exclude_handling_brigade_field: str | None = None,
    staff_roles: Collection[str] = HANDLING_ROLES,
) -> QuerySet[M]:
    """Restrict ``queryset`` to what ``user`` may see.

    ``owner_field`` is the path to the owning applicant (``None``: applicants see nothing);
    ``brigade_field`` the path to the brigade whose jurisdiction the row is in (``None``: only
    detachment-level staff see it); ``assigned_field`` the path to the inspector the row is
    assigned to (an inspector sees only their own); ``exclude_handling_brigade_field`` the path
    to the brigade that handled the case (its staff never see the row; discipline officers
    do); ``staff_roles`` the staff roles that see this kind of row at all.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_applicant:
        if owner_field is None:
            return queryset.none()
        return queryset.filter(**{owner_field: user})
    if not user.is_portal_staff or user.role not in staff_roles:
        return queryset.none()
    if not user.sees_all_brigades:
        if brigade_field is None or user.org_unit_id is None:
            return queryset.none()
        queryset = queryset.filter(**{brigade_field: user.org_unit_id})
    if assigned_field is not None and user.role == Role.INSPECTOR:
        queryset = queryset.filter(**{assigned_field: user})
    if (
        exclude_handling_brigade_field is not None
        and user.role != Role.DISCIPLINE_OFFICER
        and user.org_unit_id is not None
        and not user.sees_all_brigades
    ):
        queryset = queryset.exclude(**{exclude_handling_brigade_field: user.org_unit_id})
    return queryset


def get_object_for_user(
    queryset: QuerySet[M],
    user: Any,
    *,
    owner_field: str | None = "applicant",
    brigade_field: str | None = "brigade",
    assigned_field: str | None = None,
    exclude_handling_brigade_field: str | None = None,
    staff_roles: Collection[str] = HANDLING_ROLES,
    **lookup: Any,
) -> M:
    """Fetch and authorise in one call: missing and forbidden are the same 404."""
    scoped = scope_queryset(
        queryset,
        user,
        owner_field=owner_field,
        brigade_field=brigade_field,
        assigned_field=assigned_field,
        exclude_handling_brigade_field=exclude_handling_brigade_field,
        staff_roles=staff_roles,
    )
    try:
        return scoped.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
