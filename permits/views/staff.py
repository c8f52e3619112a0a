from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """The inspector's landing page: today's pre-checks and inspections."""
    if not request.user.is_portal_staff:  # type: ignore[union-attr]
        raise PermissionDenied
    return render(request, "permits/today.html", {"items": []})


urlpatterns = [
    path("today/", today, name="today"),
]
