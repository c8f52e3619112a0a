from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def index(request: HttpRequest) -> HttpResponse:
    """Public entry page of the measure; the services arrive measure by measure."""
    return render(
        request,
        "core/measure_placeholder.html",
        {"title": _("宣传教育"), "measure": _("全面覆盖 + 精准画像")},
    )
