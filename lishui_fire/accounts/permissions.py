"""DRF permission classes: thin wrappers over the predicates in ``policies.py``. Object scoping
is done in querysets (``scoping.py``) and in each app's ``get_<noun>_for_user``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from . import policies


def _user(request: Any) -> Any:
    return getattr(request, "user", None)


class PolicyPermission(BasePermission):
    """``has_permission`` is ``predicate(request.user)``."""

    predicate: Callable[[Any], bool] = staticmethod(policies.is_signed_in)

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(type(self).predicate(_user(request)))


class IsApplicant(PolicyPermission):
    predicate = staticmethod(policies.is_applicant)


class IsPortalStaff(PolicyPermission):
    """Any member of staff, the legal and discipline officers included."""

    predicate = staticmethod(policies.is_staff)


class IsHandlingStaff(PolicyPermission):
    predicate = staticmethod(policies.is_handling_staff)


class IsSupervisor(PolicyPermission):
    predicate = staticmethod(policies.is_supervisor_or_admin)


class ReadAnyWriteStaff(BasePermission):
    """Any signed-in user reads; only staff who handle cases write."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = _user(request)
        if not policies.is_signed_in(user):
            return False
        return request.method in SAFE_METHODS or policies.is_handling_staff(user)
