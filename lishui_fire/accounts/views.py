from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language as django_set_language
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lishui_fire.core import plugins
from lishui_fire.core.api import Serializer
from lishui_fire.core.client import client_ip
from lishui_fire.core.errors import DomainError
from lishui_fire.core.throttling import ScopedRateThrottle, ratelimit

from . import services, tokens
from .forms import RegistrationCodeForm, RegistrationForm

# Where each role lands after signing in, unless an app claims the role (AppConfig.role_homes,
# see lishui_fire/core/plugins.py): supervisors on the overview, anyone else on the home page.
ROLE_HOME_DEFAULTS = {
    "brigade_supervisor": "core:overview",
    "detachment_supervisor": "core:overview",
    "administrator": "core:overview",
    "legal_officer": "core:overview",
    "discipline_officer": "core:overview",
}


def role_home(role: str) -> str:
    """URL name of the landing page of ``role``."""
    return plugins.role_homes().get(role) or ROLE_HOME_DEFAULTS.get(role, "core:index")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(role_home(request.user.role))  # type: ignore[union-attr]


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    if request.method == "POST":
        # Each attempt tells whether a number is registered (ADR 0023): a few an hour per
        # client address, the address the lockout and the API throttles use.
        refused = ratelimit(
            "register", client_ip(request) or "unknown", settings.REGISTRATION_RATE, time.time()
        )
        if refused is not None:
            minutes = max(1, math.ceil(refused.wait_seconds / 60))
            message = _("注册尝试过于频繁，请 %(minutes)d 分钟后再试。") % {"minutes": minutes}
            response = render(
                request,
                "registration/register.html",
                {"form": RegistrationForm(), "refused": message},
                status=429,
            )
            response["Retry-After"] = str(int(refused.wait_seconds))
            return response
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Step 1 of 2 (ADR 0037): the details wait in this session, the password already hashed,
        # until the code sent to the number comes back.
        request.session[REGISTRATION_SESSION] = {
            "code": services.send_registration_code(phone=data["phone"]),
            "real_name": data["real_name"],
            "phone": data["phone"],
            "password_hash": make_password(data["password1"]),
            "enterprise_name": data["enterprise_name"],
            "enterprise_uscc": data["enterprise_uscc"],
        }
        return redirect("accounts:register_confirm")
    return render(request, "registration/register.html", {"form": form})


REGISTRATION_SESSION = "registration_pending"


@require_http_methods(["GET", "POST"])
def register_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: the code sent to the number. Only then is the account created and signed in."""
    from lishui_fire.core import phone_codes
    from lishui_fire.core.masking import mask_phone

    pending = request.session.get(REGISTRATION_SESSION)
    if not isinstance(pending, dict) or not isinstance(pending.get("code"), int):
        return redirect("accounts:register")
    form = RegistrationCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = phone_codes.check(
                pk=pending["code"],
                purpose=services.REGISTRATION_CODE,
                code=form.cleaned_data["code"],
            )
            if result.ok:
                request.session.pop(REGISTRATION_SESSION, None)
                try:
                    user = services.register_applicant(
                        real_name=pending["real_name"],
                        phone=pending["phone"],
                        password_hash=pending["password_hash"],
                        enterprise_name=pending["enterprise_name"],
                        enterprise_uscc=pending["enterprise_uscc"],
                    )
                except DomainError as exc:  # registered meanwhile, by its owner (who has the SMS)
                    messages.error(request, exc.message)
                    return redirect("accounts:login")
                login(request, user, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend")
                messages.success(request, _("注册成功，欢迎使用丽水消防服务门户。"))
                return redirect("accounts:home")
            if result.spent:
                request.session.pop(REGISTRATION_SESSION, None)
                messages.error(request, _("验证码已失效或错误次数过多，请重新填写注册信息。"))
                return redirect("accounts:register")
            form.add_error("code", _("验证码不正确，请核对短信后重新输入。"))
    context = {"form": form, "phone_masked": mask_phone(pending.get("phone", ""))}
    return render(request, "registration/register_confirm.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    """我的接口令牌: the signed-in person's live API tokens, each with a revoke button."""
    from django.utils import timezone
    from django.utils.timesince import timeuntil

    now = timezone.now()
    idle = tokens.idle_seconds(request.user)  # type: ignore[arg-type]
    context = {
        "rows": tokens.tokens_of(request.user),  # type: ignore[arg-type]
        "idle_text": timeuntil(now + dt.timedelta(seconds=idle), now),
        "max_text": timeuntil(now + dt.timedelta(seconds=settings.API_TOKEN_MAX_AGE_SECONDS), now),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_http_methods(["POST"])
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    if not tokens.revoke(request.user, pk):  # type: ignore[arg-type]
        raise Http404
    messages.success(request, _("令牌已撤销，使用它的程序需要重新登录。"))
    return redirect("accounts:tokens")


def lockout(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes lockout response: JSON 429 for the API, a page for people."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("登录失败次数过多，账户已临时锁定，请 %(minutes)d 分钟后再试。") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(
        request,
        "registration/locked_out.html",
        {"message": message, "minutes": minutes},
        status=429,
    )


class TokenRequestSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ObtainTokenView(APIView):
    """``POST /api/v1/auth/token/`` → ``{"token": "..."}``: a new token for each sign-in (its
    owner sees and revokes them at ``/api/v1/auth/tokens/`` and on 我的登录令牌).

    Goes through ``authenticate()`` with the Django request, so django-axes counts failures and
    locks the account+IP pair exactly as on the login form.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        tags=["auth"],
    )
    def post(self, request: Any) -> Response:
        from django.contrib.auth import authenticate

        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            # AxesMiddleware turns this into the lockout response (429) on the way out.
            return Response(status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            return Response(
                {"non_field_errors": [_("用户名或密码不正确。")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = tokens.issue(
            user,
            ip=client_ip(django_request),
            user_agent=django_request.META.get("HTTP_USER_AGENT", ""),
        )
        return Response({"token": token.key})


def login_url() -> str:
    return reverse("accounts:login")


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher, which also remembers the choice on the signed-in user, so the
    messages sent to them later (reminders rendered at send time) are in that language too."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated:
        services.set_user_language(user=request.user, language=language)
    return response
