"""The shared cache on Redis, which misses instead of failing while Redis is unreachable.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when Redis is down, and
DRF's throttles, the document check's rate limit and the calendar all read the cache on ordinary
requests: a Redis outage would turn the API and several pages into 500s, though the database has
everything they need. Nothing the portal keeps in the cache is the only copy of anything: during an
outage a read is a miss, a write is dropped, and both are logged as warnings. Throttles then let
requests through (fail open) for the outage: refusing every user because the rate counter is
unreachable would be the worse failure (ADR 0017). Login lockouts are not in the cache (django-axes
keeps them in the database), so they hold throughout.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Warn at most once per this many seconds per process: an outage must not flood the log.
WARN_EVERY = 10.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.ConnectionError, redis.TimeoutError, ConnectionError, TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose calls return the miss value when Redis cannot be reached."""

    _last_warning = 0.0

    def _fallback(self, operation: str, exc: BaseException, value: Any) -> Any:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable (%s): %s; treated as a miss", operation, exc)
        return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().add(key, value, timeout, version=version)
        except _redis_errors() as exc:
            return self._fallback("add", exc, False)

    def get(self, key, default=None, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().get(key, default, version=version)
        except _redis_errors() as exc:
            return self._fallback("get", exc, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        try:
            super().set(key, value, timeout, version=version)
        except _redis_errors() as exc:
            self._fallback("set", exc, None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().touch(key, timeout, version=version)
        except _redis_errors() as exc:
            return self._fallback("touch", exc, False)

    def delete(self, key, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().delete(key, version=version)
        except _redis_errors() as exc:
            return self._fallback("delete", exc, False)

    def get_many(self, keys, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().get_many(keys, version=version)
        except _redis_errors() as exc:
            return self._fallback("get_many", exc, {})

    def has_key(self, key, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().has_key(key, version=version)
        except _redis_errors() as exc:
            return self._fallback("has_key", exc, False)

    def incr(self, key, delta=1, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().incr(key, delta, version=version)
        except _redis_errors() as exc:
            # Callers of incr handle a missing key (ValueError), which is what this is now.
            self._fallback("incr", exc, None)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        try:
            return super().set_many(data, timeout, version=version)
        except _redis_errors() as exc:
            return self._fallback("set_many", exc, list(data))

    def delete_many(self, keys, version=None):  # type: ignore[no-untyped-def]
        try:
            super().delete_many(keys, version=version)
        except _redis_errors() as exc:
            self._fallback("delete_many", exc, None)

    def clear(self):  # type: ignore[no-untyped-def]
        try:
            return super().clear()
        except _redis_errors() as exc:
            return self._fallback("clear", exc, False)
