"""The classes named in ``REST_FRAMEWORK`` (settings): parser and authentication defaults.

Kept apart from ``core.api``: DRF imports the classes named in its settings while
``rest_framework.views`` is still loading, so this module must not import views, routers or
responses.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's parser with a translated message; a document nested too deep for Python's ``json``
    (``[[[[…`` many thousand levels, a RecursionError) is a 400 like any other broken body."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except (exceptions.ParseError, RecursionError) as exc:
            raise exceptions.ParseError(_("请求正文不是有效的 JSON。")) from exc


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against the portal's expiring tokens (accounts.tokens,
    ADR 0023): a revoked or expired token is a 401 that says so. A key with a NUL or another
    control character is refused as invalid before it reaches the database (PostgreSQL cannot
    hold a NUL in a text parameter). The token's user becomes the actor of the audit entries the
    request writes, from the client address the throttles use (core.audit, core.client)."""

    def authenticate(self, request: Any) -> Any:
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> Any:
        from lishui_fire.accounts import tokens

        from . import throttling
        from .audit import bind_actor
        from .client import client_ip

        if not key.isprintable():
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        windows = []

        def window_for(user_id: Any) -> Any:
            # The view's user throttle, counted in the round trip that checks the token's copy
            # (ADR 0031); its throttle class takes the answer instead of asking Redis again.
            window = throttling.user_window(view, user_id)
            if window is not None:
                windows.append(window)
            return window

        view = (getattr(self._request, "parser_context", None) or {}).get("view")
        try:
            token = tokens.check(key, ip=client_ip(self._request), window_for=window_for)
        except tokens.TokenRefused as exc:
            raise exceptions.AuthenticationFailed(exc.message) from exc
        for window in windows:
            if window.answered:
                throttling.counted(self._request, window)
        bind_actor(token.user)
        return (token.user, token)


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's, with its hard-coded English "CSRF Failed: …" said in the caller's language."""

    def authenticate(self, request: Any) -> Any:
        from .audit import bind_actor

        result = super().authenticate(request)
        if result is not None:
            bind_actor(result[0])
        return result

    def enforce_csrf(self, request: Any) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise exceptions.PermissionDenied(
                _("缺少或无效的 CSRF 令牌：请刷新页面后重试，或改用令牌（Token）调用接口。")
            ) from exc
