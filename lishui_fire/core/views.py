from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lishui_fire.accounts.contacts import units_with_contacts
from lishui_fire.accounts.decorators import staff_required

from . import plugins
from .errors import DomainError


def index(request: HttpRequest) -> HttpResponse:
    """The public home page: the citizen's tasks first, then the eight measures, as the apps
    that serve them declare them."""
    return render(
        request,
        "core/index.html",
        {"tasks": plugins.home_tasks(), "measures": plugins.home_links()},
    )


@require_GET
def contacts(request: HttpRequest) -> HttpResponse:
    """联系我们 · 办事窗口: every unit's hotline, window and hours (the 我要咨询 task until a
    consultation app takes that slot)."""
    return render(request, "core/contacts.html", {"units": units_with_contacts()})


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """Staff's landing page (supervisors, administrators, the legal and discipline officers)."""
    return render(request, "core/overview.html", {"panels": plugins.overview_panels(request)})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        # An unknown API address answers in the API's error format (API.md), not an HTML page.
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return render(request, "errors/404.html", status=404)


# The database unreachable (restarting, failing over, out of connections): the request could not
# be served, but nothing is wrong with it; 503 with Retry-After tells clients and monitoring so.
DATABASE_DOWN_RETRY_AFTER = 30


def server_error(request: HttpRequest) -> HttpResponse:
    # handler500 runs inside the except block that caught the error: the error is sys.exc_info().
    if _database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": _("服务器内部错误，请稍后重试。")}, status=500)
    return render(request, "errors/500.html", status=500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 in the site's layout (or the API's JSON), rendered without touching the database."""
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            {"detail": _("服务暂时不可用，请稍后重试。")}, status=503
        )
    else:
        response = render(request, "errors/503.html", status=503)
    response["Retry-After"] = str(DATABASE_DOWN_RETRY_AFTER)
    return response


def _database_unavailable(exc: BaseException | None) -> bool:
    from django.db import InterfaceError, OperationalError

    # OperationalError: connection refused or lost, server shutting down; InterfaceError: the
    # connection was already closed under us. A ProgrammingError or IntegrityError stays a 500.
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


def act(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service call for a page's POST; a refusal (a ValidationError or a DomainError,
    already translated) becomes an error message, success a success message. True when it
    went through. Every app's pages use this one door."""
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, str(message))
        return False
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True
