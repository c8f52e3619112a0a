from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lishui_fire.accounts.decorators import staff_required

from . import plugins


def index(request: HttpRequest) -> HttpResponse:
    """The public home page: the eight measures, as the apps that serve them declare them."""
    return render(request, "core/index.html", {"measures": plugins.home_links()})


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


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("服务器内部错误，请稍后重试。")}, status=500)
    return render(request, "errors/500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)
