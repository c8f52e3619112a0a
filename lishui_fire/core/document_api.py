"""``/api/v1/documents/verify/?number=&code=``: anyone checks whether an official letter is
genuine; and the one API download of an issued document every app's ``….pdf`` actions use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import Serializer
from .documents import IssuedDocument, find_issued_document, pdf_response, request_render
from .throttling import AnonRateThrottle, CountingThrottle


class DocumentVerifyThrottle(CountingThrottle):
    """Look-ups per client address, signed in or not, for the page and the API together: the
    code is unguessable, and this keeps anyone from trying numbers and codes in bulk."""

    scope = "document_verify"

    def __init__(self) -> None:
        self.rate = settings.DOCUMENT_VERIFY_RATE
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyQuerySerializer(Serializer):
    number = serializers.CharField(
        max_length=64, help_text="文书编号，如 丽莲消检字〔2026〕第0001号"
    )
    code = serializers.CharField(max_length=16, help_text="文书上印制的验证码，如 ABCD-EFGH")


class VerifiedDocumentSerializer(Serializer):
    genuine = serializers.BooleanField(default=True)
    kind = serializers.CharField(help_text="文书种类代码")
    kind_display = serializers.CharField(source="kind_label", help_text="文书名称")
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    brigade = serializers.CharField(source="brigade.name_zh", help_text="出具单位")
    party = serializers.CharField(source="party_masked", help_text="当事人（已遮蔽）")
    sha256 = serializers.CharField(help_text="PDF 文件的 SHA-256；尚未生成时为空")


PREPARING = gettext_lazy("文书正在生成，请稍后重试。")

# The OpenAPI entry of a document download's "not ready yet" answer (add it to each ….pdf action).
PREPARING_RESPONSE = OpenApiResponse(
    description="文书的电子文件正在生成：稍后（Retry-After 秒后）重试", response=OpenApiTypes.OBJECT
)


def issued_document_api_response(document: IssuedDocument, filename: str) -> Any:
    """``application/pdf`` when the document's PDF is stored (read as it is, no row lock, no
    render); otherwise 202 ``{"detail", "status": "pending"}`` with ``Retry-After``, after asking
    the workers for it once (``request_render``). The caller has checked who may see it."""
    if document.file or request_render(document):
        with document.file.open("rb") as handle:
            return pdf_response(handle.read(), filename)
    retry_after = settings.DOCUMENT_RENDER_RETRY_AFTER
    response = Response(
        {"detail": str(PREPARING), "status": "pending", "retry_after": retry_after},
        status=202,
        headers={"Retry-After": str(retry_after)},
    )
    response["Cache-Control"] = "no-store"
    return response


NOT_FOUND = gettext_lazy("未找到与该文书编号和验证码相符的文书，请核对后重试。")


def verified_document_data(document: IssuedDocument) -> dict[str, Any]:
    return {"genuine": True, **VerifiedDocumentSerializer(document).data}


class DocumentVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle, DocumentVerifyThrottle]

    @extend_schema(
        parameters=[VerifyQuerySerializer],
        responses={
            200: VerifiedDocumentSerializer,
            400: OpenApiResponse(description="缺少文书编号或验证码"),
            404: OpenApiResponse(description="没有与该编号和验证码相符的文书"),
            429: OpenApiResponse(description="查询过于频繁"),
        },
        tags=["documents"],
        summary="核验文书真伪（无需登录）",
    )
    def get(self, request: Request) -> Response:
        query = VerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        document = find_issued_document(
            number=query.validated_data["number"], code=query.validated_data["code"]
        )
        if document is None:
            return Response({"detail": str(NOT_FOUND), "genuine": False}, status=404)
        return Response(verified_document_data(document))
