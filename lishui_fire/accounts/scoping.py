"""Who may see which rows: the scoping every app uses, enforced in querysets.

* An applicant sees only the records they own.
* Staff see the records of their brigade's jurisdiction.
* Detachment staff (and administrators) see every brigade.

Objects outside the caller's scope are answered like missing ones (404), so the portal never
reveals that another applicant's record exists.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def scope_queryset(
    queryset: QuerySet[M],
    user: Any,
    *,
    owner_field: str | None = "applicant",
    brigade_field: str | None = "brigade",
) -> QuerySet[M]:
    """Restrict ``queryset`` to what ``user`` may see.

    ``owner_field`` is the path to the owning applicant (``None``: applicants see nothing);
    ``brigade_field`` the path to the brigade whose jurisdiction the row is in (``None``: only
    detachment-level staff see it).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_applicant:
        if owner_field is None:
            return queryset.none()
        return queryset.filter(**{owner_field: user})
    if user.is_portal_staff:
        if user.sees_all_brigades:
            return queryset
        if brigade_field is None or user.org_unit_id is None:
            return queryset.none()
        return queryset.filter(**{brigade_field: user.org_unit_id})
    return queryset.none()


def get_object_for_user(
    queryset: QuerySet[M],
    user: Any,
    *,
    owner_field: str | None = "applicant",
    brigade_field: str | None = "brigade",
    **lookup: Any,
) -> M:
    """Fetch and authorise in one call: missing and forbidden are the same 404."""
    scoped = scope_queryset(queryset, user, owner_field=owner_field, brigade_field=brigade_field)
    try:
        return scoped.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
