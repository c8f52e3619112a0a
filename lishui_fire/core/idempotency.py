"""``Idempotency-Key`` on create endpoints: a resent request gets the first answer, once.

A client that does not know whether its ``POST`` arrived (a timeout, a dropped connection on a
phone) sends it again with the same ``Idempotency-Key`` header; the portal answers with the
response of the first delivery instead of creating a second record. Same key with a different
body is a mistake of the client: 422 with a message, nothing created.

Apply ``@idempotent`` to a DRF view's create handler (``create``, or an ``@action`` that
creates). The schema class documents the header and the 422 on every decorated operation.

How a race is decided: the key row is inserted in the same transaction as the work. A second
delivery that arrives meanwhile waits on the unique constraint (PostgreSQL: the uncommitted
row's index entry; SQLite: the write lock taken at BEGIN); once the first commits, it finds the
stored answer and replays it. A failed request (any error, 4xx or 5xx) rolls back with its key,
so the client may correct the body and send it again with the same key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "可选。客户端为每个新请求生成的唯一值（如 UUID，最长 255 个可见 ASCII 字符）。"
        "网络中断后用同一个键重发同一请求，返回第一次的结果（响应头 Idempotent-Replayed: true），"
        "不会重复创建；同一个键配不同的请求内容返回 422。键保存 24 小时。"
        " / Optional: a unique value per new request; resending with the same key replays the "
        "first answer instead of creating again; the same key with a different body is a 422."
    ),
)


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _canonical(value: Any) -> Any:
    if hasattr(value, "lists"):  # QueryDict (form or multipart body): every value, in order
        return {k: [_canonical(v) for v in vs] for k, vs in sorted(value.lists())}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if hasattr(value, "chunks"):  # an uploaded file: its content, not its temporary name
        digest = hashlib.sha256()
        value.seek(0)
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": getattr(value, "name", ""), "sha256": digest.hexdigest()}
    return value


def request_hash(request: Request) -> str:
    body = json.dumps(_canonical(request.data), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise ValidationError(
            {HEADER: [_("Idempotency-Key 无效：应为 1 到 255 个可见 ASCII 字符，例如一个 UUID。")]}
        )
    return key


def _replay(record: Any) -> Response:
    response = Response(record.response_body, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view method that creates: honour ``Idempotency-Key`` (see module doc)."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        from .models import IdempotencyKey

        key = _key(request)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        scope = {"user": request.user, "method": request.method, "path": request.path[:255]}
        digest = request_hash(request)
        now = timezone.now()
        IdempotencyKey.objects.filter(**scope, key=key, expires_at__lte=now).delete()
        with transaction.atomic():
            try:
                # The row first, in a savepoint: a concurrent delivery of the same key waits on
                # the unique constraint until this transaction ends, then finds the stored
                # answer (or, if this one failed and rolled back, inserts its own).
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        **scope,
                        key=key,
                        request_hash=digest,
                        status_code=0,
                        expires_at=now + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
                    )
            except IntegrityError:
                found = IdempotencyKey.objects.get(**scope, key=key)
                if found.request_hash != digest:
                    raise KeyReused(
                        _(
                            "这个 Idempotency-Key 已用于另一份请求内容：重发请原样重发；"
                            "新的请求请换一个新的键。"
                        )
                    ) from None
                return _replay(found)
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)  # an error does not use the key up
                return response
            record.status_code = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["status_code", "response_body"])
            return response

    wrapper.idempotent = True  # type: ignore[attr-defined]  (read by core.api_schema)
    return wrapper
