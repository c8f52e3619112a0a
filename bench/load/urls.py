"""URLconf of the load run: the portal's own URLs plus one bare DRF endpoint.

``GET /bench/bare/`` is a bare Django view (the lists benchmark's baseline for pages).
``GET /bench/ping/`` is the baseline every figure is divided by: a DRF view with no
authentication, no permission check, no throttle and no database, behind the same middleware and
gunicorn workers as the portal's pages. It is mounted only by ``bench.load.settings`` (the portal
has no health endpoint in its API contract, and a load-test baseline is not a reason to add one).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class PingView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


def bare(request: HttpRequest) -> HttpResponse:
    """The bare Django view (bench/lists_bench.py): the same middleware, no session, no query."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/ping/", PingView.as_view(), name="bench-ping"),
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("lishui_fire.urls")),
]

handler404 = "lishui_fire.core.views.page_not_found"
handler500 = "lishui_fire.core.views.server_error"
handler403 = "lishui_fire.core.views.permission_denied"
