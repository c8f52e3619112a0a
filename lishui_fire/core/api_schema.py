"""The OpenAPI schema class of every API view (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``).

drf-spectacular documents only the success answer unless a view lists its errors by hand, so the
schema promised fewer status codes than the API gives (a client generated from it would not know
the 401 of an expired token). API.md fixes the error conventions for every endpoint; this class
documents them on every operation they can occur on, with their bodies, and fills in the body of
an error a view lists without one:

* 400 ``{"field": ["message"]}`` (or ``{"detail": …}`` for a body that does not parse): an
  operation with a request body or query parameters;
* 401 ``{"detail": …}``: any view that authenticates (a wrong or expired token is refused even
  where anonymous callers are allowed);
* 403 ``{"detail": …}``: a view whose permissions are not just ``AllowAny`` (role not allowed,
  missing CSRF token on a session call);
* 404 ``{"detail": …}``: an operation with path parameters, or a paginated list (page past the end);
* 415 ``{"detail": …}``: an operation with a request body (sent with no or another media type);
* 429 ``{"detail": …}``: a throttled view.

409 stays with the views that can give it (they list it with their own description).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"

_SCHEMAS: dict[str, dict[str, Any]] = {
    ERROR: {
        "type": "object",
        "description": "错误说明（按请求语言）",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    FIELD_ERRORS: {
        "type": "object",
        "description": (
            "字段错误：字段名（或 non_field_errors）对应错误信息列表，嵌套字段为对象；"
            '请求正文无法解析时为 {"detail": …}'
        ),
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    },
}

_DESCRIPTIONS = {
    "400": "输入有误",
    "401": "未登录或令牌无效",
    "403": "角色无权执行该操作",
    "404": "不存在或不在本人权限范围内",
    "409": "当前状态不允许该操作",
    "415": "不支持的请求正文格式",
    "422": "Idempotency-Key 已用于另一份请求内容",
    "429": "请求过于频繁",
}


class PortalAutoSchema(AutoSchema):
    def _is_idempotent(self) -> bool:
        # Operations decorated with core.idempotency.idempotent take the Idempotency-Key header.
        name = getattr(self.view, "action", None) or self.method.lower()
        return bool(getattr(getattr(self.view, name, None), "idempotent", False))

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_idempotent():
            from .idempotency import PARAMETER

            parameters.append(PARAMETER)
        return parameters

    def _standard_errors(self) -> list[str]:
        codes = []
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if self.method not in permissions.SAFE_METHODS or has_query:
            codes.append("400")
        if self.view.get_authenticators():
            codes.append("401")
        perms = self.view.get_permissions()
        if not all(isinstance(p, permissions.AllowAny) for p in perms):
            codes.append("403")
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated:
            codes.append("404")
        if self.method not in permissions.SAFE_METHODS and self._get_request_body():
            codes.append("415")
        if self._is_idempotent():
            codes.append("422")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _error_content(self, code: str) -> dict[str, Any]:
        name = FIELD_ERRORS if code == "400" else ERROR
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=_SCHEMAS[name]
        )
        self.registry.register_on_missing(component)
        return {"application/json": {"schema": component.ref}}

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._standard_errors():
            responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
        for code, response in responses.items():
            if code in _DESCRIPTIONS and "content" not in response:
                response["content"] = self._error_content(code)
        return responses
