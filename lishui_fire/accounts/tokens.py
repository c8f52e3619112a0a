"""API tokens: issue, check, list and revoke (ADR 0023).

A token has two lifetimes, both settings: idle (``API_TOKEN_IDLE_SECONDS``; for staff
``STAFF_IDLE_TIMEOUT_SECONDS``, the same 30 minutes as their sessions) and absolute
(``API_TOKEN_MAX_AGE_SECONDS`` after issue). Its last use is written at most once every
``API_TOKEN_TOUCH_SECONDS``, so a token call costs one indexed read and, once a minute, one
``UPDATE``; the idle clock is therefore exact to within that interval (it never lets a token live
longer than the idle time plus the interval).

A process keeps what it read of a token for a few seconds and uses it while the revocation
markers in Redis are unchanged (``accounts.token_cache``, ADR 0031): then a call reads no row at
all. Every rule below is still applied to that copy at every call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import token_cache
from .models import ApiToken, User
from .token_keys import digest_of


def idle_seconds(user: User) -> int:
    if user.is_portal_staff:
        return int(settings.STAFF_IDLE_TIMEOUT_SECONDS)
    return int(settings.API_TOKEN_IDLE_SECONDS)


def expires_at(token: ApiToken) -> dt.datetime:
    """When ``token`` ends unless it is used again (the earlier of its two lifetimes)."""
    last = token.last_used_at or token.created_at
    idle_end = last + dt.timedelta(seconds=idle_seconds(token.user))
    absolute_end = token.created_at + dt.timedelta(seconds=settings.API_TOKEN_MAX_AGE_SECONDS)
    return min(idle_end, absolute_end)


def issue(user: User, *, ip: str | None = None, user_agent: str = "") -> ApiToken:
    """A new token for ``user``; its plain key is ``.key`` on the returned object, only there."""
    return ApiToken.objects.create(
        user=user, created_ip=ip, user_agent=user_agent[:200], last_used_ip=ip
    )


class TokenRefused(Exception):
    """The key names no usable token; ``message`` says why, in the caller's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check(
    key: str, *, ip: str | None = None, now: dt.datetime | None = None, window_for: Any = None
) -> ApiToken:
    """The live token of ``key`` (its user loaded), its use recorded; else :class:`TokenRefused`.

    ``window_for``: see ``token_cache.get`` (the API counts its ``user`` throttle that way)."""
    now = now or timezone.now()
    digest = digest_of(key)
    cached = token_cache.get(digest, window_for)
    if cached is not None:
        token, entry = cached
        # Revoked or deactivated would have changed the markers; the clocks are checked here.
        # A copy that says "expired" may be older than another process's last use: the
        # database decides then.
        if now < expires_at(token):
            if _touch(token, now, ip):
                token_cache.touched(digest, entry, token)
            return token
    markers = token_cache.markers_before_read(digest)
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None:
        raise TokenRefused(_("令牌无效。"))
    if token.revoked_at is not None:
        raise TokenRefused(_("令牌已撤销（退出登录、修改密码或本人撤销），请重新获取令牌。"))
    if not token.user.is_active:
        raise TokenRefused(_("该账户已停用。"))
    if now >= expires_at(token):
        raise TokenRefused(_("令牌已过期，请重新获取令牌。"))
    _touch(token, now, ip)
    token_cache.put(digest, token, markers)
    return token


def _touch(token: ApiToken, now: dt.datetime, ip: str | None) -> bool:
    """Write ``token``'s last use when the one known is ``API_TOKEN_TOUCH_SECONDS`` old."""
    touch_every = dt.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS)
    if token.last_used_at is not None and now - token.last_used_at < touch_every:
        return False
    # Another process may have written a later use since this one read the token: never go back.
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now), pk=token.pk
    ).touch(last_used_at=now, last_used_ip=ip)
    token.last_used_at, token.last_used_ip = now, ip
    return True


@dataclass(frozen=True)
class TokenRow:
    """One line of "my tokens": enough to recognise a token, never its key."""

    token: ApiToken
    expires_at: dt.datetime
    current: bool


def tokens_of(user: User, *, current: ApiToken | None = None) -> list[TokenRow]:
    """The live tokens of ``user``, newest first (one query)."""
    now = timezone.now()
    rows = []
    for token in ApiToken.objects.active().filter(user=user).order_by("-created_at", "-pk"):
        token.user = user
        end = expires_at(token)
        if end > now:
            rows.append(TokenRow(token, end, current is not None and token.pk == current.pk))
    return rows


def revoke(user: User, token_id: Any, *, reason: str = ApiToken.Reason.OWNER) -> bool:
    """Revoke ``user``'s token ``token_id``; False when it is not theirs or already gone."""
    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        return False
    return bool(
        ApiToken.objects.active()
        .filter(user=user, pk=token_id)
        .update_of(user, revoked_at=timezone.now(), revoked_reason=reason)
    )


def revoke_all(user: User, *, reason: str) -> int:
    return ApiToken.objects.revoke_all(user, reason=reason)
