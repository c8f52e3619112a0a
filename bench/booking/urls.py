"""URLconf of the booking benchmark: the portal's URLs plus a token-authenticated bare POST.

``POST /bench/token-post/`` is the baseline the booking is divided by (issue 9: "booking ≥ 0.5× a
token-authenticated bare POST"): DRF with the portal's default authentication (token), permission
(signed in) and throttles, parsing a JSON body like the booking's, and no database work beyond
what authentication itself does. Mounted only by ``bench.booking.settings``.
"""

from django.urls import include, path
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenPostView(APIView):
    def post(self, request: Request) -> Response:
        return Response({"ok": True, "echo": len(request.data)}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("bench/token-post/", TokenPostView.as_view(), name="bench-token-post"),
    path("", include("lishui_fire.urls")),
]

handler404 = "lishui_fire.core.views.page_not_found"
handler500 = "lishui_fire.core.views.server_error"
handler403 = "lishui_fire.core.views.permission_denied"
