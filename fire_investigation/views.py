from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def index(request: HttpRequest) -> HttpResponse:
    """Public entry page of the measure; the services arrive measure by measure."""
    return render(
        request,
        "core/measure_placeholder.html",
        {
            "title": _("火灾调查与灭火救援"),
            "measure": _("精准勘验 + 压缩时限 · 科学施救 + 文明亲民"),
        },
    )
