"""The API shell shared by every app: pagination, error format, and role-aware base classes."""

from __future__ import annotations

import copy
import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .pagination import CappedCountPaginator


class PortalRouter(SimpleRouter):
    """The router of every app: trailing slashes as usual, except on file actions.

    API.md names document downloads as files (``/<app>/{id}/decision.pdf``); an action whose
    ``url_path`` has an extension is served at exactly that path, with no slash appended.
    """

    def _get_dynamic_route(self, route: Any, action: Any) -> Any:
        built = super()._get_dynamic_route(route, action)
        if "." in action.url_path:
            url = built.url.replace("{trailing_slash}", "")
            return built._replace(url=url.replace(action.url_path, re.escape(action.url_path)))
        return built


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to 100.

    The count is exact up to ``LIST_EXACT_COUNT_LIMIT`` rows; beyond, it is that limit and the
    response says so in ``X-Count-Exact: false`` (core.pagination, ADR 0030): the body keeps
    API.md's four keys, and ``next`` still leads to every row.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response["X-Count-Exact"] = "true" if self.page.paginator.count_exact else "false"
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = (
            "结果总数；结果很多时只计到上限（响应头 X-Count-Exact: false 表示“至少这么多”），"
            "翻页（next）不受影响"
        )
        return described

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        # A garbage page number is the first page, not an error (API.md: never a 500, and a
        # typo in a query string should not break an integration).
        number = super().get_page_number(request, paginator)
        if isinstance(number, str) and number not in self.last_page_strings:
            try:
                if int(number) < 1:
                    return 1
            except ValueError:
                return 1
        return number


class DateTimeField(serializers.DateTimeField):
    """DRF's, but a naive time at the very start of the calendar (``0001-01-01T00:00``) is
    "out of range" (400): DRF's own check converts it to UTC, before year 1 (OverflowError)."""

    def enforce_timezone(self, value: Any) -> Any:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """DRF's, but a float is the wrong type: the ORM would truncate ``1.9`` to row 1."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, float):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    """An object's id as a plain integer, for a create endpoint whose service reads the row
    itself (in the same statement as its locks, ADR 0032) instead of the serializer reading it
    first. Like ``PrimaryKeyRelatedField`` above, a float (``1.9``) or a boolean is the wrong
    type; the range is a ``BigAutoField``'s, so a huge number is a 400, not a database error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool | float):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class _TranslatedNoData:
    """DRF answers a ``null`` body with a hard-coded English "No data provided"; say it in the
    caller's language like every other message."""

    @property
    def errors(self) -> Any:
        ret = super().errors  # type: ignore[misc]
        key = api_settings.NON_FIELD_ERRORS_KEY
        only = ret.get(key, []) if isinstance(ret, dict) and list(ret) == [key] else []
        if len(only) == 1 and getattr(only[0], "code", None) == "null":
            detail = ErrorDetail(_("请求正文不能为空。"), code="null")
            return ReturnDict({key: [detail]}, serializer=self)
        return ret


class Serializer(_TranslatedNoData, serializers.Serializer):
    """The base of the API's plain serializers."""


class ModelSerializer(_TranslatedNoData, serializers.ModelSerializer):
    """The base of the API's model serializers: the two fields above for model fields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }
    serializer_related_field = PrimaryKeyRelatedField


class FieldsBuiltOnce:
    """For a ``ModelSerializer`` on a hot path: its fields are built from the model once per
    process and each instance gets a deep copy, as a plain ``Serializer``'s declared fields do.

    DRF builds a model serializer's fields anew for every instance (model introspection, field
    info, extra kwargs, uniqueness validators): about 5 ms a time, twice a booking (the request
    and the answer), a fifth of a booking's CPU (ADR 0032). Only for serializers whose fields do
    not depend on the instance, the request or the context (no ``get_fields`` override that reads
    them); the copies are unbound and independent, lazy labels stay lazy (translated per request).
    """

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built_once = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)


class StrictNullBooleanField(forms.NullBooleanField):
    """``true``/``false`` (and 1/0, yes/no) or nothing; ``?flag=maybe`` is a 400, not ignored."""

    widget = forms.TextInput  # the select widget would turn "maybe" into "no choice" silently
    TRUE = {"true", "1", "yes", "on"}
    FALSE = {"false", "0", "no", "off"}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise DjangoValidationError(_("请填写 true 或 false。"), code="invalid")

    def validate(self, value: Any) -> None:
        return None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class PDFActionMixin:
    """For viewsets with file actions (``url_path="….pdf"``): a client asking for
    ``Accept: application/pdf`` reaches the action instead of a 406. The PDF goes out as a plain
    ``HttpResponse``; an error on the way (404, 401) is rendered by the first renderer, JSON."""

    def perform_content_negotiation(self, request: Any, force: bool = False) -> Any:
        handler = getattr(self, getattr(self, "action", None) or "", None)
        if str(getattr(handler, "url_path", "")).endswith(".pdf"):
            force = True
        return super().perform_content_negotiation(request, force)  # type: ignore[misc]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: domain errors → 409, Django validation errors → 400."""
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            data: Any = exc.message_dict
        else:
            data = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(data)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        # Django's limits on a request body: a 400 in the API's format, not an HTML page.
        exc = exceptions.ParseError(_("请求数据过大或字段过多。"))
    return drf_exception_handler(exc, context)
