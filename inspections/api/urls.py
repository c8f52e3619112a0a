"""API routes of measure 3 under /api/v1/: each part registers its viewsets in
``inspections/api/urls_<part>.py`` (its own ``urlpatterns``)."""

from importlib import import_module

PARTS = ("plans", "visits", "intake", "dashboard", "roster")

urlpatterns: list = []
for _part in PARTS:
    urlpatterns += import_module(f"{__package__}.urls_{_part}").urlpatterns
