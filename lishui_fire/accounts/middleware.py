"""Staff sessions end after a period of inactivity (30 minutes by default)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class StaffIdleTimeoutMiddleware:
    """Make a staff member's session expire ``STAFF_IDLE_TIMEOUT_SECONDS`` after the last request.

    ``set_expiry`` on every request slides the window; the session backend then refuses an
    expired session on its own, so no clock is kept in this process.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_portal_staff", False):
            request.session.set_expiry(settings.STAFF_IDLE_TIMEOUT_SECONDS)
        return self.get_response(request)
