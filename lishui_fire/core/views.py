from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lishui_fire.accounts.decorators import staff_required

from . import selectors

# The eight measures as entry points on the public home page (DESIGN.md).
MEASURES: list[dict[str, Any]] = [
    {
        "number": 1,
        "title": _("全时咨询 + 特殊通道"),
        "text": _("24 小时在线和电话咨询；残障人士上门服务；重点项目绿色通道。"),
        "url_name": "feedback:index",
    },
    {
        "number": 2,
        "title": _("即办即送 + 预约体检"),
        "text": _(
            "网上申请公众聚集场所消防安全检查，告知承诺当场办结、文书免费邮寄；开业前预约消防体检，问题一次性告知。"
        ),
        "url_name": "permits:index",
    },
    {
        "number": 3,
        "title": _("双随机查 + 守信激励"),
        "text": _("公开抽查计划与结果；A 级守信单位一年内至多检查一次。"),
        "url_name": "inspections:index",
    },
    {
        "number": 4,
        "title": _("教育引导 + 严格裁量"),
        "text": _("首次轻微违法及时改正且未造成危害的，依法不予处罚；严格执行裁量基准。"),
        "url_name": "inspections:index",
    },
    {
        "number": 5,
        "title": _("精准勘验 + 压缩时限"),
        "text": _("缩小现场保护范围、尽早解封；无争议的企业火灾 20 日内出具认定。"),
        "url_name": "fire_investigation:index",
    },
    {
        "number": 6,
        "title": _("科学施救 + 文明亲民"),
        "text": _("科学施救减少水渍损失；中高考等重要时段静音出警。"),
        "url_name": "fire_investigation:index",
    },
    {
        "number": 7,
        "title": _("全面覆盖 + 精准画像"),
        "text": _("预约参观消防科普教育馆和消防站；分众化宣传。"),
        "url_name": "outreach:index",
    },
    {
        "number": 8,
        "title": _("常态回访 + 重点核查"),
        "text": _("办结必回访，满意度可评价；问题线索一查到底。"),
        "url_name": "feedback:index",
    },
]


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "core/index.html", {"measures": MEASURES})


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """Staff's landing page (supervisors, administrators, the legal and discipline officers)."""
    user = request.user
    return render(
        request, "core/overview.html", {"brigades": selectors.brigade_overview(user=user)}
    )


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
