"""The API's throttles: DRF's scopes and rates, counted per client address as ``core.client``
sees it, with a counter instead of a list of timestamps.

DRF's ``SimpleRateThrottle`` keeps every request's time in one cache entry and reads, unpickles,
trims, pickles and writes that whole list on every request (600 floats for a busy user at
600/min). Here a request reads two small integers and increments one: the count of the current
fixed window and of the previous one, weighted by how much of the previous window still overlaps
the sliding one (the usual sliding-window estimate: never more than the rate in any window of the
rate's length, to within the weighting). On Redis (``core.cache.ResilientRedisCache``) that is one
round trip, a Lua script that checks and counts atomically (ADR 0031); on another cache (the
local memory of tests and ``make run``) one ``get_many`` and one ``incr``.

``ratelimit`` is the same counter for Django views (the registration form).
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from django.core.cache import cache as default_cache
from rest_framework import throttling

from .client import client_ip


class Window:
    """``num`` events per ``duration`` seconds under ``key``, counted in ``cache``."""

    def __init__(self, key: str, num: int, duration: int, cache: Any = None) -> None:
        self.key, self.num, self.duration = key, num, duration
        self.cache = cache or default_cache
        self.wait_seconds: float = 0.0
        self.allowed = True
        self.answered = False  # counted elsewhere (with the token check) and settled

    def bounds(self, now: float) -> tuple[str, str, float]:
        """The previous and the current window's keys at ``now``, and how much of the current
        window has elapsed (0 ≤ elapsed < 1)."""
        index = int(now // self.duration)
        return (
            f"{self.key}:{index - 1}",
            f"{self.key}:{index}",
            (now % self.duration) / self.duration,
        )

    def args(self, now: float) -> tuple[str, str, int, float, int]:
        """What ``ResilientRedisCache.window_hit`` takes for one event at ``now``."""
        previous, current, elapsed = self.bounds(now)
        return previous, current, self.num, elapsed, self.duration * 2 + 1

    def settle(self, now: float, answer: tuple[bool, int, int]) -> bool:
        """Record the cache's (allowed, previous count, current count) for an event at ``now``."""
        allowed, before, so_far = answer
        self.allowed = allowed
        if not allowed:
            self.wait_seconds = self._wait(before, so_far, self.bounds(now)[2])
        return allowed

    def hit(self, now: float) -> bool:
        """Count one event at ``now`` unless the limit is reached; True when it is allowed."""
        window_hit = getattr(self.cache, "window_hit", None)
        if window_hit is not None:
            return self.settle(now, window_hit(*self.args(now)))
        previous, current, elapsed = self.bounds(now)
        counts = self.cache.get_many([previous, current])
        before, so_far = int(counts.get(previous) or 0), int(counts.get(current) or 0)
        if before * (1 - elapsed) + so_far >= self.num:
            return self.settle(now, (False, before, so_far))
        try:
            self.cache.incr(current)
        except ValueError:
            # First event of the window (or a cache that is down: then nothing is counted and
            # the request goes through, ADR 0017).
            if not self.cache.add(current, 1, timeout=self.duration * 2 + 1):
                with contextlib.suppress(ValueError):
                    self.cache.incr(current)
        return self.settle(now, (True, before, so_far + 1))

    def _wait(self, before: int, so_far: int, elapsed: float) -> float:
        """Seconds until the estimate drops below the limit."""
        remaining = (1 - elapsed) * self.duration
        if so_far >= self.num or before == 0:
            return math.ceil(remaining) or 1
        # before × (1 − t') + so_far < num, with t' the fraction reached after waiting.
        needed = 1 - (self.num - so_far) / before
        return max(1.0, math.ceil((needed - elapsed) * self.duration + 1))


def ratelimit(scope: str, ident: str, rate: str, now: float) -> Window | None:
    """Count one event of ``ident`` in ``scope``; the window when it is refused, else None."""
    num, duration = throttling.SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]
    window = Window(f"ratelimit:{scope}:{ident}", num, duration)
    return None if window.hit(now) else window


# Windows the token authentication already counted in its round trip (accounts.token_cache),
# by key, on the Django request.
COUNTED = "_portal_counted_windows"


class CountingThrottle(throttling.SimpleRateThrottle):
    """``SimpleRateThrottle`` with :class:`Window` counting and :func:`client_ip` addresses."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        counted = getattr(getattr(request, "_request", request), COUNTED, None)
        if counted and self.key in counted:
            # Counted already, in the same round trip as the token check: its answer stands.
            self.window = counted.pop(self.key)
            return self.window.allowed
        self.window = Window(self.key, self.num_requests, self.duration, self.cache)
        return self.window.hit(self.timer())

    def wait(self) -> float | None:
        window = getattr(self, "window", None)
        return window.wait_seconds if window is not None else None


def user_window(view: Any, user_id: Any) -> Window | None:
    """The :class:`Window` ``view``'s ``user`` throttle counts a call of ``user_id`` in, when
    it has that throttle and its cache can count it together with the token check (Redis)."""
    from rest_framework.views import APIView

    if view is None or type(view).get_throttles is not APIView.get_throttles:
        return None  # a view that picks its throttles itself counts them itself
    for throttle_class in getattr(view, "throttle_classes", ()):
        if isinstance(throttle_class, type) and issubclass(throttle_class, UserRateThrottle):
            throttle = throttle_class()
            if throttle.rate is None or not hasattr(throttle.cache, "markers_and_window"):
                return None
            key = throttle.cache_format % {"scope": throttle.scope, "ident": user_id}
            return Window(key, throttle.num_requests, throttle.duration, throttle.cache)
    return None


def counted(request: Any, window: Window) -> None:
    """Leave ``window`` (counted with the token check) for the throttle of ``request``."""
    django_request = getattr(request, "_request", request)
    windows = getattr(django_request, COUNTED, None)
    if windows is None:
        windows = {}
        setattr(django_request, COUNTED, windows)
    windows[window.key] = window


class AnonRateThrottle(CountingThrottle, throttling.AnonRateThrottle):
    """Anonymous calls per client address (``anon`` rate)."""


class UserRateThrottle(CountingThrottle, throttling.UserRateThrottle):
    """Calls per signed-in user (``user`` rate); anonymous ones per client address."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, CountingThrottle):
    """Calls per view scope (``throttle_scope``) and user or client address (DRF's picks the
    scope's rate in ``allow_request``, then counts through ``CountingThrottle``)."""
