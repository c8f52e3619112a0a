"""The shared cache on Redis, which misses instead of failing while Redis is unreachable.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when Redis is down, and
DRF's throttles, the document check's rate limit and the calendar all read the cache on ordinary
requests: a Redis outage would turn the API and several pages into 500s, though the database has
everything they need. Nothing the portal keeps in the cache is the only copy of anything: during an
outage a read is a miss, a write is dropped, and both are logged as warnings. Throttles then let
requests through (fail open) for the outage: refusing every user because the rate counter is
unreachable would be the worse failure (ADR 0017). Login lockouts are not in the cache (django-axes
keeps them in the database), so they hold throughout.

:meth:`ResilientRedisCache.window_hit` is the throttles' counter in one round trip: a small Lua
script reads the two window counts and, when the request is allowed, increments the current one,
atomically (``core.throttling.Window``; ADR 0031).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# Warn at most once per this many seconds per process: an outage must not flood the log.
WARN_EVERY = 10.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.ConnectionError, redis.TimeoutError, ConnectionError, TimeoutError, OSError)


# KEYS: the previous and the current window's counters; ARGV: the limit, the fraction of the
# current window already elapsed, the counter's lifetime in seconds. The same sliding-window
# estimate as core.throttling.Window, in the same floating point (IEEE doubles in Lua too).
# With marker keys before the counters (ARGV: their expected values first), nothing is counted
# unless every marker holds its expected value (accounts.token_cache: one round trip for "is the
# copy of this token still good" and "may its user make this call").
WINDOW_SCRIPT = """
local markers = #KEYS - 2
for i = 1, markers do
  if redis.call('GET', KEYS[i]) ~= ARGV[i] then return {0, 0, 0, 0} end
end
if #ARGV == markers then return {1, 0, 0, 0} end
local before = tonumber(redis.call('GET', KEYS[markers + 1]) or '0') or 0
local so_far = tonumber(redis.call('GET', KEYS[markers + 2]) or '0') or 0
local num, elapsed = tonumber(ARGV[markers + 1]), tonumber(ARGV[markers + 2])
if before * (1 - elapsed) + so_far >= num then return {1, 0, before, so_far} end
local n = redis.call('INCR', KEYS[markers + 2])
if n == 1 then redis.call('EXPIRE', KEYS[markers + 2], ARGV[markers + 3]) end
return {1, 1, before, n}
"""
WINDOW_SHA = hashlib.sha1(WINDOW_SCRIPT.encode()).hexdigest()  # noqa: S324 - Redis's script id


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, which builds a new ``redis.Redis`` (some 170 response callbacks
    registered one by one) for every cache call, keeping one per connection pool instead: a
    ``redis.Redis`` is only a handle on its pool and is safe to share between threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose calls return the miss value when Redis cannot be reached."""

    _last_warning = 0.0

    def __init__(self, server: Any, params: Any) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def window_hit(
        self, previous: str, current: str, num: int, elapsed: float, timeout: int
    ) -> tuple[bool, int, int]:
        """(allowed, previous count, current count) for one event counted under ``current``
        unless ``previous × (1 − elapsed) + current ≥ num``: one round trip (EVALSHA), atomic, so
        concurrent requests never pass the limit between a read and an increment. Redis
        unreachable (or refusing the script): allowed, nothing counted (fail open, ADR 0017)."""
        result = self._window_script(
            {}, [previous, current], [num, repr(elapsed), timeout], "window_hit"
        )
        if result is None:
            return True, 0, 0
        return bool(result[1]), int(result[2]), int(result[3])

    def markers_and_window(
        self, markers: dict[str, Any], window: tuple[str, str, int, float, int] | None
    ) -> tuple[bool, tuple[bool, int, int] | None]:
        """(every marker key holds its value, the window's ``window_hit`` answer or None) in one
        round trip; the window (previous, current, num, elapsed, timeout) is counted only when
        the markers hold. Redis unreachable: (False, None), nothing trusted, nothing counted."""
        window_keys, window_args = [], []
        if window is not None:
            window_keys, window_args = list(window[:2]), [window[2], repr(window[3]), window[4]]
        result = self._window_script(markers, window_keys, window_args, "markers_and_window")
        if result is None or not result[0]:
            return False, None
        if window is None:
            return True, None
        return True, (bool(result[1]), int(result[2]), int(result[3]))

    def _window_script(
        self, markers: dict[str, Any], window_keys: list[str], window_args: list[Any], name: str
    ) -> Any:
        # The hot path of every token call: keys made without the memcached-style validation
        # (the portal's own short ASCII keys), EVALSHA sent as one command, the script loaded
        # once per Redis server (NOSCRIPT after a restart loads it again).
        import redis

        make_key = self.make_key
        keys = [make_key(k) for k in markers]
        keys += [make_key(k) for k in window_keys] if window_keys else ["", ""]
        args = [self._value(v) for v in markers.values()]
        args += window_args
        try:
            client = self._cache.get_client(None, write=True)
            try:
                return client.execute_command("EVALSHA", WINDOW_SHA, len(keys), *keys, *args)
            except redis.exceptions.NoScriptError:
                client.script_load(WINDOW_SCRIPT)
                return client.execute_command("EVALSHA", WINDOW_SHA, len(keys), *keys, *args)
        except (*_redis_errors(), redis.RedisError) as exc:
            return self._fallback(name, exc, None)

    @staticmethod
    def _value(value: Any) -> bytes:
        """A value as Redis holds it when Django's serializer wrote it: an int as its digits (the
        markers are ints: anything else would be pickled and never compare equal)."""
        if type(value) is not int:
            raise TypeError("markers_and_window compares int values only")
        return str(value).encode()

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
