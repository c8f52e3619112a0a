"""URLconf of ``bench/auth_bench.py``: the load run's, plus the same bare DRF view behind the
API's default authentication, permission and throttles.

``/bench/ping/`` has no authentication, permission or throttle; ``/bench/token-ping/`` differs
from it by exactly those defaults (``REST_FRAMEWORK``): the ratio of the two is what token
authentication and throttling cost a request.
"""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.load.urls import urlpatterns as load_urlpatterns


class TokenPingView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("bench/token-ping/", TokenPingView.as_view(), name="bench-token-ping"),
    *load_urlpatterns,
]

handler404 = "lishui_fire.core.views.page_not_found"
handler500 = "lishui_fire.core.views.server_error"
handler403 = "lishui_fire.core.views.permission_denied"
