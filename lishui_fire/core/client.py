"""The client's address: one answer for throttles, the sign-in lockout and the audit log.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies that each *append* the address they saw to
``X-Forwarded-For`` (nginx: ``proxy_add_x_forwarded_for``), the client is the entry the outermost
trusted proxy wrote: the N-th from the right. Everything to its left was written by the client
itself and proves nothing. With no trusted proxy (the default) the header is ignored and the
address is the socket's, ``REMOTE_ADDR``.

A forged header therefore never gives a caller a fresh address: DRF's throttles (whose own
``get_ident`` would otherwise use the whole header), django-axes (``AXES_CLIENT_IP_CALLABLE``)
and django-auditlog (``core.audit_middleware``) all call :func:`client_ip`.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings

_ATTR = "_portal_client_ip"


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def resolve(meta: Any, proxy_count: int) -> str | None:
    """The client's address from a request's META, given how many proxies are trusted."""
    remote = _valid(str(meta.get("REMOTE_ADDR") or ""))
    if proxy_count <= 0:
        return remote
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [h for h in (part.strip() for part in forwarded.split(",")) if h]
    if not hops:
        return remote
    # The outermost trusted proxy's entry; fewer hops than proxies means the request came in
    # past some of them, so the leftmost entry is the nearest thing to the client we have.
    return _valid(hops[-min(proxy_count, len(hops))]) or remote


def client_ip(request: Any) -> str | None:
    """The address of whoever sent ``request`` (a Django or DRF request), computed once."""
    django_request = getattr(request, "_request", request)
    cached = getattr(django_request, _ATTR, False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    value = resolve(django_request.META, settings.TRUSTED_PROXY_COUNT)
    setattr(django_request, _ATTR, value)
    return value
