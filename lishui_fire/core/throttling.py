"""The API's throttles: DRF's scopes and rates, counted per client address as ``core.client``
sees it, with a counter instead of a list of timestamps.

DRF's ``SimpleRateThrottle`` keeps every request's time in one cache entry and reads, unpickles,
trims, pickles and writes that whole list on every request (600 floats for a busy user at
600/min). Here a request costs one ``get_many`` and one ``incr`` of two small integers: the
count of the current fixed window and of the previous one, weighted by how much of the previous
window still overlaps the sliding one (the usual sliding-window estimate: never more than the rate
in any window of the rate's length, to within the weighting).

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

    def hit(self, now: float) -> bool:
        """Count one event at ``now`` unless the limit is reached; True when it is allowed."""
        index = int(now // self.duration)
        current, previous = f"{self.key}:{index}", f"{self.key}:{index - 1}"
        counts = self.cache.get_many([previous, current])
        before, so_far = int(counts.get(previous) or 0), int(counts.get(current) or 0)
        elapsed = (now % self.duration) / self.duration
        if before * (1 - elapsed) + so_far >= self.num:
            self.wait_seconds = self._wait(before, so_far, elapsed)
            return False
        try:
            self.cache.incr(current)
        except ValueError:
            # First event of the window (or a cache that is down: then nothing is counted and
            # the request goes through, ADR 0017).
            if not self.cache.add(current, 1, timeout=self.duration * 2 + 1):
                with contextlib.suppress(ValueError):
                    self.cache.incr(current)
        return True

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
        self.window = Window(self.key, self.num_requests, self.duration, self.cache)
        return self.window.hit(self.timer())

    def wait(self) -> float | None:
        window = getattr(self, "window", None)
        return window.wait_seconds if window is not None else None


class AnonRateThrottle(CountingThrottle, throttling.AnonRateThrottle):
    """Anonymous calls per client address (``anon`` rate)."""


class UserRateThrottle(CountingThrottle, throttling.UserRateThrottle):
    """Calls per signed-in user (``user`` rate); anonymous ones per client address."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, CountingThrottle):
    """Calls per view scope (``throttle_scope``) and user or client address (DRF's picks the
    scope's rate in ``allow_request``, then counts through ``CountingThrottle``)."""
