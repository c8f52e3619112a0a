"""drf-spectacular extensions for the portal's own API classes (imported in CoreConfig.ready)."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme


class PortalSessionScheme(SessionScheme):
    """Our session authentication is DRF's with a translated CSRF message: the same cookie."""

    target_class = "lishui_fire.core.api_defaults.SessionAuthentication"
