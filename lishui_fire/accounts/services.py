"""State changes of accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lishui_fire.core.errors import Conflict

from .models import Role, User


@transaction.atomic
def register_applicant(
    *,
    real_name: str,
    phone: str,
    password: str,
    enterprise_name: str = "",
    enterprise_uscc: str = "",
) -> User:
    """Create a self-registered applicant; the mobile number is the login name."""
    user = User(
        username=phone,
        real_name=real_name,
        phone=phone,
        role=Role.APPLICANT,
        enterprise_name=enterprise_name,
        enterprise_uscc=enterprise_uscc,
    )
    user.set_password(password)
    try:
        # Two registrations racing with the same number: the unique constraint decides.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict(_("该手机号已注册，请直接登录或找回密码。")) from exc
    return user


def set_user_language(*, user: User, language: str) -> bool:
    """Remember the language a user picked; False (nothing changed) for an unknown one."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return False
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return True
