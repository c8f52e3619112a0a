from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def index(request: HttpRequest) -> HttpResponse:
    """Public entry page of the measure; the services arrive measure by measure."""
    return render(
        request,
        "core/measure_placeholder.html",
        {"title": _("双随机检查与执法"), "measure": _("双随机查 + 守信激励 · 教育引导 + 严格裁量")},
    )
