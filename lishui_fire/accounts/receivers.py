"""Every sign-in success and failure is written to the security log (等保 2.0 audit); signing
out ends the account's API tokens; a unit's save or delete drops the cached contacts."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .contacts import invalidate_contacts
from .models import OrgUnit

logger = logging.getLogger("lishui_fire.security")


def _client(request: Any) -> str:
    if request is None:
        return "-"
    from lishui_fire.core.client import client_ip

    return str(client_ip(request) or "-")


@receiver(user_logged_in)
def log_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("login success user=%s role=%s ip=%s", user.username, user.role, _client(request))


@receiver(user_logged_out)
def log_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("logout user=%s ip=%s", getattr(user, "username", "-"), _client(request))
    if user is not None and getattr(user, "pk", None):
        # Signing out of the portal ends the account's API tokens too (ADR 0023).
        from .models import ApiToken

        ApiToken.objects.revoke_all(user, reason=ApiToken.Reason.LOGOUT)


@receiver(user_login_failed)
def log_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    logger.warning(
        "login failure username=%s ip=%s", credentials.get("username", "-"), _client(request)
    )


# --- Copies of token look-ups (accounts.token_cache, ADR 0031) ------------------------------------
def _user_or_token_changed(
    sender: Any, instance: Any, created: bool = False, **kwargs: Any
) -> None:
    """A saved or deleted user, or token, ends every process's copy of that user's tokens (a
    new row had no copy to end)."""
    if created:
        return
    from .models import ApiToken
    from .token_cache import changed

    changed(instance.user_id if isinstance(instance, ApiToken) else instance.pk)


def _connect_token_cache() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import ApiToken, User

    for model in (User, ApiToken):
        post_save.connect(_user_or_token_changed, sender=model, dispatch_uid=f"token-cache-{model}")
        post_delete.connect(
            _user_or_token_changed, sender=model, dispatch_uid=f"token-cache-del-{model}"
        )


_connect_token_cache()


@receiver(post_save, sender=OrgUnit, dispatch_uid="accounts-contacts-saved")
@receiver(post_delete, sender=OrgUnit, dispatch_uid="accounts-contacts-deleted")
def forget_contacts(sender: Any, **kwargs: Any) -> None:
    """A unit's hotline, window or name changed: this process's footer and contact blocks read
    the table again. Now, and once more after the commit, so that a page read between the two
    does not keep the old row (ADR 0033)."""
    invalidate_contacts()
    transaction.on_commit(invalidate_contacts)
