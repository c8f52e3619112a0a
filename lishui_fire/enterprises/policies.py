"""Who may do what in the registry.

Staff read the registry of their brigade (detachment staff and administrators: all of it);
supervisors and administrators rate units and enter them on dishonesty lists; administrators import files. The
fetch-and-authorise helpers answer 404 alike for a missing unit and another brigade's.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from lishui_fire.accounts.scoping import get_object_for_user

from . import selectors
from .models import DishonestyListing, Enterprise, EnterpriseImport


def can_view_enterprises(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_portal_staff)


def can_change_credit_rating(user: Any, enterprise: Enterprise | None = None) -> bool:
    """Brigade and detachment supervisors and administrators; inspectors only read.

    ``enterprise`` is accepted for the ``can_<verb>_<noun>(user, obj)`` shape; the unit is
    already in the caller's scope when it was fetched with ``get_enterprise_for_user``.
    """
    return can_view_enterprises(user) and (user.is_supervisor or user.is_administrator)


def can_list_dishonesty(user: Any, enterprise: Enterprise | None = None) -> bool:
    """Entering and removing dishonesty-list entries: the same people who rate units."""
    return can_change_credit_rating(user, enterprise)


def can_import_enterprises(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_administrator)


def get_enterprise_for_user(*, user: Any, pk: Any) -> Enterprise:
    """Fetch and authorise in one call: another brigade's enterprise is a 404 like a missing one."""
    return get_object_for_user(
        selectors.enterprises_for_user(user=user),
        user,
        owner_field=None,
        brigade_field="brigade",
        pk=pk,
    )


def get_listing_for_user(*, user: Any, enterprise: Enterprise, pk: Any) -> DishonestyListing:
    """A listing of ``enterprise`` (already fetched with ``get_enterprise_for_user``), else 404."""
    try:
        return enterprise.dishonesty_listings.get(pk=pk)
    except (DishonestyListing.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_import_for_user(*, user: Any, pk: Any) -> EnterpriseImport:
    """An import job, for administrators (the only ones who may import); else 404 like missing."""
    if not can_import_enterprises(user):
        raise Http404
    try:
        return EnterpriseImport.objects.select_related("uploaded_by").get(pk=pk)
    except (EnterpriseImport.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
