"""A per-process copy of API token look-ups, trusted only while Redis says nothing changed
(ADR 0031).

``accounts.tokens.check`` used to read the token joined to its user on every API call: a
database round trip (two, with ``CONN_HEALTH_CHECKS``' ping at the request's first query) for an
answer that changes a few times in a token's life. Each process now keeps what it read, by
digest, and trusts it only while two *markers* in the shared cache are the values it read
*before* that database read:

* ``auth:tokens:user:<id>``: replaced (a new random value) after every change of a user's row or
  of one of their tokens: a revocation (logout, password change, the owner, an administrator),
  a deactivation, a new role, a deletion;
* ``auth:tokens:epoch``: replaced after a bulk ``update()`` of users or tokens, whose rows the
  code cannot name.

A call with a copy costs one ``get_many`` of the two markers (one round trip) and no query. A
marker that differs, is missing (evicted, Redis restarted empty) or cannot be read (Redis down)
sends the call to the database, as before. The replacement is made after the transaction
commits (and once at once, so a test transaction sees it): a process that read a marker after the
replacement read the database after the commit.

What stays exact: revocation and deactivation at the next call in every process, the absolute
lifetime and the idle time (both computed at every call from the copy; a copy that says
"expired" is checked against the database, because another process may have used the token
since). A copy lives at most ``API_TOKEN_CACHE_SECONDS`` (10 s): the bound on how long a
revocation can be missed in the one case markers cannot cover, a process that revokes while it
cannot reach Redis but the others can. ``API_TOKEN_CACHE_SECONDS = 0`` turns the copy off.

The user in a copy is rebuilt as a new instance on each call (``Model.from_db``), so nothing a
request caches on it (its unit, its permissions) outlives the request.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS

from .token_markers import EPOCH, _marker_seconds, _replace, changed, user_marker  # noqa: F401

if TYPE_CHECKING:
    from .models import ApiToken

# More distinct tokens than this in one process in one cache period: start afresh.
MAX_ENTRIES = 10_000


@dataclass(slots=True)
class Entry:
    token: tuple[Any, ...]  # ApiToken's concrete field values (attnames, in _meta order)
    user: tuple[Any, ...]  # its user's
    user_id: int
    markers: tuple[Any, Any]
    until: float  # time.monotonic() after which the copy is not used


_entries: dict[str, Entry] = {}
# digest → user id: a token's user never changes, so the markers to read before the database
# are known from the second call of a token on (the first call cannot know them in advance).
_user_of: dict[str, int] = {}


_FIELDS: dict[Any, list[str]] = {}


def _fields(model: Any) -> list[str]:
    names = _FIELDS.get(model)
    if names is None:
        names = _FIELDS[model] = [f.attname for f in model._meta.concrete_fields]
    return names


def clear() -> None:
    """Forget every copy of this process (tests)."""
    _entries.clear()
    _user_of.clear()


def _seconds() -> float:
    return float(getattr(settings, "API_TOKEN_CACHE_SECONDS", 0))


def get(digest: str, window_for: Any = None) -> tuple[ApiToken, Entry] | None:
    """The copy of ``digest``'s token with a fresh user instance, when the markers still say what
    they said when it was read; else None (then the caller reads the database).

    ``window_for(user_id)`` may give the ``core.throttling.Window`` the call will be counted in:
    on Redis the markers are compared and the window counted in one round trip (the window is
    counted only when the markers hold; it is then ``answered``)."""
    entry = _entries.get(digest)
    if entry is None:
        return None
    if time.monotonic() >= entry.until:
        _entries.pop(digest, None)
        return None
    if not _markers_hold(entry, window_for):
        _entries.pop(digest, None)
        return None
    from .models import ApiToken, User

    token = ApiToken.from_db(DEFAULT_DB_ALIAS, _fields(ApiToken), entry.token)
    token.user = User.from_db(DEFAULT_DB_ALIAS, _fields(User), entry.user)
    return token, entry


def _markers_hold(entry: Entry, window_for: Any) -> bool:
    combined = getattr(cache, "markers_and_window", None)
    if combined is None:
        return read_markers(entry.user_id, create=False) == entry.markers
    window = window_for(entry.user_id) if window_for is not None else None
    now = time.time()
    markers = dict(zip((EPOCH, user_marker(entry.user_id)), entry.markers, strict=True))
    held, answer = combined(markers, window.args(now) if window is not None else None)
    if held and window is not None and answer is not None:
        window.settle(now, answer)
        window.answered = True
    return bool(held)


def markers_before_read(digest: str) -> tuple[Any, Any] | None:
    """The markers of ``digest``'s user, read before the database is (None on a first call)."""
    if _seconds() <= 0:
        return None
    user_id = _user_of.get(digest)
    return None if user_id is None else read_markers(user_id, create=True)


def read_markers(user_id: Any, *, create: bool) -> tuple[Any, Any] | None:
    keys = [EPOCH, user_marker(user_id)]
    values = cache.get_many(keys)
    if len(values) < 2 and create:
        for key in keys:
            if key not in values:
                cache.add(key, secrets.randbits(62), _marker_seconds())
        values = cache.get_many(keys)
    if len(values) < 2:
        return None  # evicted, or Redis unreachable: nothing is trusted
    return values[keys[0]], values[keys[1]]


def put(digest: str, token: ApiToken, markers: tuple[Any, Any] | None) -> None:
    """Keep ``token`` (live, read from the database after ``markers`` were read)."""
    seconds = _seconds()
    if seconds <= 0:
        return
    if len(_user_of) >= MAX_ENTRIES:
        _user_of.clear()
    _user_of[digest] = token.user_id
    if markers is None:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[digest] = Entry(
        token=tuple(getattr(token, name) for name in _fields(type(token))),
        user=tuple(getattr(token.user, name) for name in _fields(type(token.user))),
        user_id=token.user_id,
        markers=markers,
        until=time.monotonic() + seconds,
    )


def touched(digest: str, entry: Entry, token: ApiToken) -> None:
    """The copy after ``token``'s last use was written (same markers, same end)."""
    entry.token = tuple(getattr(token, name) for name in _fields(type(token)))
    _entries[digest] = entry
