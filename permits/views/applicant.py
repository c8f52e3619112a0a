from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/measure_placeholder.html",
        {"title": _("消防安全检查许可与预约体检"), "measure": _("即办即送 + 预约体检")},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The applicant's landing page: my applications and my pre-check bookings."""
    if not request.user.is_applicant:  # type: ignore[union-attr]
        raise PermissionDenied
    return render(request, "permits/mine.html", {"applications": [], "bookings": []})


urlpatterns = [
    path("", index, name="index"),
    path("mine/", mine, name="mine"),
]
