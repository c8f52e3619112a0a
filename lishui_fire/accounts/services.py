"""State changes of accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lishui_fire.core.errors import Conflict

from .models import Role, User

REGISTRATION_CODE = "registration"


def number_is_registered(phone: str) -> bool:
    return (
        User.objects.filter(username=phone).exists()
        or User.objects.filter(role=Role.APPLICANT, phone=phone).exists()
    )


def send_registration_code(*, phone: str) -> int:
    """Step 1 of registering (ADR 0037): a code to the number, so that only the person holding
    it can open an account on it. A number already registered gets no code but an SMS telling
    its owner to sign in instead; whoever is at the keyboard sees the same page either way, so
    the form no longer says which numbers have an account. Returns the code row's id."""
    from lishui_fire.core import phone_codes
    from lishui_fire.core.models import Notification
    from lishui_fire.core.notifications import notify

    registered = number_is_registered(phone)
    row = phone_codes.issue(
        purpose=REGISTRATION_CODE,
        key=phone,
        phone=phone,
        matched=not registered,
        body=_("【丽水消防】您正在注册丽水消防服务门户，验证码 %(code)s，%(minutes)s 分钟内有效。"),
    )
    if registered:
        notify(
            channel=Notification.Channel.SMS,
            address=phone,
            body=_(
                "【丽水消防】有人用本手机号申请注册丽水消防服务门户。本号码已有账户，请直接登录；"
                "忘记密码可在登录页找回。如非本人操作，请忽略本短信。"
            ),
        )
    return row.pk


@transaction.atomic
def register_applicant(
    *,
    real_name: str,
    phone: str,
    password: str = "",
    password_hash: str = "",
    enterprise_name: str = "",
    enterprise_uscc: str = "",
) -> User:
    """Create a self-registered applicant; the mobile number is the login name. The password
    comes as typed or, from the two-step registration, as the hash kept between the steps."""
    user = User(
        username=phone,
        real_name=real_name,
        phone=phone,
        role=Role.APPLICANT,
        enterprise_name=enterprise_name,
        enterprise_uscc=enterprise_uscc,
    )
    if password_hash:
        user.password = password_hash
    else:
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
