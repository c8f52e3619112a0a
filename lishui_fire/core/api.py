"""The API shell shared by every app: pagination, error format, and role-aware base classes."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class PortalRouter(SimpleRouter):
    """The router of every app: trailing slashes as usual, except on file actions.

    API.md names document downloads as files (``/permits/{id}/decision.pdf``); an action whose
    ``url_path`` has an extension is served at exactly that path, with no slash appended.
    """

    def _get_dynamic_route(self, route: Any, action: Any) -> Any:
        built = super()._get_dynamic_route(route, action)
        if "." in action.url_path:
            url = built.url.replace("{trailing_slash}", "")
            return built._replace(url=url.replace(action.url_path, re.escape(action.url_path)))
        return built


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

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
    return drf_exception_handler(exc, context)
