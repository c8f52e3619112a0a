"""Sign in with the username or, for applicants, the registered mobile number."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .models import Role, User


def find_account(identifier: str) -> User | None:
    """The account ``identifier`` names: a username, else an applicant's mobile number."""
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None and identifier.isdigit():
        user = User.objects.filter(role=Role.APPLICANT, phone=identifier).first()
    return user


def account_name(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """django-axes' ``AXES_USERNAME_CALLABLE``: the account's username, whichever name was typed.

    The lockout counts failures and locks per (this name, client address): five wrong passwords
    typed against the username lock the account for its mobile number too, and the reverse.
    An identifier that names no account is counted as typed (nothing to protect, but the
    attempts are still bounded per address).
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        typed = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(field) if hasattr(data, "get") else None
    if not isinstance(typed, str):
        return typed
    user = find_account(typed)
    return user.username if user is not None else typed.strip()


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Run the hasher anyway so that timing does not reveal which usernames exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The session's user with their unit in the same query: every staff page asks which
        brigade the user belongs to (scoping, ``sees_all_brigades``), which was a second query
        on each request (ADR 0033)."""
        try:
            user = User._default_manager.select_related("org_unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
