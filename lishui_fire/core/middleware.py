"""HTTP rules the kernel applies to every app's API, so that no app has to remember them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
# Public, personal-data-free descriptions of the API: cacheable like any static document.
PUBLIC_API_DOCUMENTS = ("/api/schema/", "/api/docs/")


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class ApiHygieneMiddleware:
    """Every API response is ``Cache-Control: no-store``; an unknown API address is JSON 404.

    * no-store: API responses carry personal data (names, phone and ID numbers) and tokens; no
      shared proxy and no browser cache may keep a copy (PIPL). Every API response, not only the
      authenticated ones: the rule cannot then be forgotten by a new endpoint, and the few
      public answers (document verification) are cheap to compute again.
    * JSON 404: with ``DEBUG`` on, Django answers an unknown address with its HTML debug page
      before ``handler404`` is consulted; API clients get the API's error format either way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_request(request) or request.path.startswith(PUBLIC_API_DOCUMENTS):
            return response
        if response.status_code == 404 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            from .views import page_not_found

            response = page_not_found(request, exception=None)  # type: ignore[arg-type]
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"  # replaces any max-age a view set
        return response
