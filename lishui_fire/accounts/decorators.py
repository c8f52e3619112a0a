"""View decorators over the same predicates as the policies and the DRF permission classes.

Each one signs the anonymous visitor in first (``login_required``), then answers 403 to a role
that may not open the page at all. Objects outside the caller's scope are the policies' business
(``get_<noun>_for_user``: 404 alike for missing and forbidden).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from . import policies
from .models import HANDLING_ROLES, STAFF_ROLES, SUPERVISING_ROLES, Role

View = Callable[..., HttpResponse]


def policy_required(predicate: Callable[[Any], bool]) -> Callable[[View], View]:
    """Open the page only to a signed-in user for whom ``predicate(user)`` holds."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def role_required(*roles: str) -> Callable[[View], View]:
    return policy_required(lambda user: policies.has_role(user, *roles))


applicant_required = role_required(Role.APPLICANT)
# Any member of staff, the legal and discipline officers included.
staff_required = role_required(*STAFF_ROLES)
# Staff who act on cases (inspectors, supervisors, administrators).
handling_staff_required = role_required(*HANDLING_ROLES)
supervisor_required = role_required(*SUPERVISING_ROLES)
