"""The revocation markers of the per-process token copies (accounts.token_cache, ADR 0031): one
per user and one for everyone, in the shared cache. Kept apart from the cache of copies, with no
import of the models, so that the models can tell of a change without an import circle."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

EPOCH = "auth:tokens:epoch"


def user_marker(user_id: Any) -> str:
    return f"auth:tokens:user:{user_id}"


def _marker_seconds() -> int:
    """A marker that expires is a miss (a new one is made): its lifetime only bounds the
    garbage; a token's absolute lifetime, so that no live copy outlives its marker."""
    return int(settings.API_TOKEN_MAX_AGE_SECONDS) + 24 * 60 * 60


def _replace(key: str) -> None:
    cache.set(key, secrets.randbits(62), _marker_seconds())


def changed(user_id: Any = None) -> None:
    """Tell every process that ``user_id``'s row or tokens changed (None: any user's)."""
    key = EPOCH if user_id is None else user_marker(user_id)
    _replace(key)
    if transaction.get_connection().in_atomic_block:
        # Again once the change is visible: a process that read the first replacement and then
        # the database before the commit holds a copy of the old row under it.
        transaction.on_commit(lambda: _replace(key))
