from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def index(request: HttpRequest) -> HttpResponse:
    """Public entry page of the measure; the services arrive measure by measure."""
    return render(
        request,
        "core/measure_placeholder.html",
        {"title": _("咨询与回访"), "measure": _("全时咨询 · 常态回访 + 重点核查")},
    )
