"""Staff sessions end after a period of inactivity (30 minutes by default)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TOUCHED = "_staff_idle_touched"


class StaffIdleTimeoutMiddleware:
    """Make a staff member's session expire ``STAFF_IDLE_TIMEOUT_SECONDS`` after the last request.

    ``set_expiry`` slides the window and the session backend refuses an expired session on its
    own, so no clock is kept in this process. Each slide is a session write, so it is done at
    most once per ``STAFF_IDLE_TOUCH_SECONDS`` (a minute): the session then ends between
    ``timeout - touch`` and ``timeout`` seconds after the last request, never later.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_portal_staff", False):
            now = int(time.time())
            touched = request.session.get(TOUCHED)
            if not isinstance(touched, int) or now - touched >= settings.STAFF_IDLE_TOUCH_SECONDS:
                request.session.set_expiry(settings.STAFF_IDLE_TIMEOUT_SECONDS)
                request.session[TOUCHED] = now
        return self.get_response(request)
