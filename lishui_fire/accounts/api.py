"""``/api/v1/auth/``: the caller's own API tokens (list, revoke) and signing out (ADR 0023)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lishui_fire.core.api import Serializer

from . import tokens
from .models import ApiToken


class ApiTokenSerializer(Serializer):
    id = serializers.IntegerField(source="token.pk")
    prefix = serializers.CharField(source="token.prefix", help_text="令牌前 8 位，用于辨认")
    created_at = serializers.DateTimeField(source="token.created_at")
    created_ip = serializers.IPAddressField(source="token.created_ip", allow_null=True)
    user_agent = serializers.CharField(source="token.user_agent")
    last_used_at = serializers.DateTimeField(source="token.last_used_at", allow_null=True)
    last_used_ip = serializers.IPAddressField(source="token.last_used_ip", allow_null=True)
    expires_at = serializers.DateTimeField(help_text="不再使用时的失效时间（空闲或最长期限）")
    current = serializers.BooleanField(help_text="是否为本次请求所用的令牌")


def _current(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


@extend_schema(tags=["auth"])
class MyTokensView(generics.ListAPIView):
    """``GET /api/v1/auth/tokens/``: the caller's live tokens, newest first (never the keys)."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            from .models import ApiToken

            return ApiToken.objects.none()
        return tokens.tokens_of(self.request.user, current=_current(self.request))  # type: ignore[arg-type]


class RevokeTokenView(APIView):
    """``POST /api/v1/auth/tokens/{id}/revoke/``: end one of the caller's tokens (204);
    another person's token, or one already ended, is 404."""

    @extend_schema(
        request=None,
        responses={204: None, 404: OpenApiResponse(description="不是本人的有效令牌")},
        tags=["auth"],
    )
    def post(self, request: Request, pk: int) -> Response:
        if not tokens.revoke(request.user, pk):  # type: ignore[arg-type]
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """``POST /api/v1/auth/logout/``: with a token, end that token; with a browser session, sign
    the session out (which ends every token of the account, as the page's 退出 does)."""

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        token = _current(request)
        if token is not None:
            tokens.revoke(request.user, token.pk, reason=ApiToken.Reason.LOGOUT)  # type: ignore[arg-type]
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
