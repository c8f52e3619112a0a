"""Sign in with the username or, for applicants, the registered mobile number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import Role, User


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        username = username.strip()
        user = User.objects.filter(username=username).first()
        if user is None and username.isdigit():
            user = User.objects.filter(role=Role.APPLICANT, phone=username).first()
        if user is None:
            # Run the hasher anyway so that timing does not reveal which usernames exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
