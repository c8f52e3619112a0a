"""Every sign-in success and failure is written to the security log (等保 2.0 audit)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("lishui_fire.security")


def _client(request: Any) -> str:
    if request is None:
        return "-"
    return str(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "-"))


@receiver(user_logged_in)
def log_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("login success user=%s role=%s ip=%s", user.username, user.role, _client(request))


@receiver(user_logged_out)
def log_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("logout user=%s ip=%s", getattr(user, "username", "-"), _client(request))


@receiver(user_login_failed)
def log_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    logger.warning(
        "login failure username=%s ip=%s", credentials.get("username", "-"), _client(request)
    )
