"""DRF permission classes by role. Object scoping is done in querysets (``scoping.py``)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


def _user(request: Any) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class IsApplicant(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = _user(request)
        return bool(user and user.is_applicant)


class IsPortalStaff(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = _user(request)
        return bool(user and user.is_portal_staff)


class IsSupervisor(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = _user(request)
        return bool(user and (user.is_supervisor or user.is_administrator))


class ReadAnyWriteStaff(BasePermission):
    """Any signed-in user reads; only staff write."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = _user(request)
        if user is None:
            return False
        return request.method in SAFE_METHODS or user.is_portal_staff
