from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.validators import normalise_code, validate_mainland_mobile, validate_uscc

from .models import User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败 5 次将锁定 30 分钟。"),
        "inactive": _("该账户已停用。"),
    }


class RegistrationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RegistrationForm(forms.Form):
    """Self-registration for citizens and enterprise contacts. Staff are created by admins."""

    real_name = forms.CharField(label=_("真实姓名"), max_length=64)
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        help_text=_("用于登录和接收办理进度短信。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，不能全为数字，不能与手机号或姓名相近。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    enterprise_name = forms.CharField(label=_("单位名称（可选）"), max_length=128, required=False)
    enterprise_uscc = forms.CharField(
        label=_("统一社会信用代码（可选）"), max_length=18, required=False
    )

    def clean_real_name(self) -> str:
        return self.cleaned_data["real_name"].strip()

    def clean_phone(self) -> str:
        # Whether the number has an account is not said here: the code step tells its owner by
        # SMS (ADR 0037).
        phone = self.cleaned_data["phone"].strip()
        validate_mainland_mobile(phone)
        return phone

    def clean_enterprise_uscc(self) -> str:
        value = normalise_code(self.cleaned_data.get("enterprise_uscc") or "")
        if value:
            validate_uscc(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if cleaned.get("enterprise_uscc") and not cleaned.get("enterprise_name"):
            self.add_error("enterprise_name", _("填写信用代码时请同时填写单位名称。"))
        if p1 and not self.errors.get("password1"):
            candidate = User(
                username=cleaned.get("phone", ""),
                real_name=cleaned.get("real_name", ""),
                phone=cleaned.get("phone", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
