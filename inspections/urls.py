"""Pages of measure 3. Each part of the app keeps its routes in its own module
(``urls_<part>.py``, listed in ``PARTS``), so that the parts grow without touching each other."""

from importlib import import_module

from django.urls import path

from . import views

app_name = "inspections"

PARTS = ("plans", "visits", "intake", "dashboard", "roster")

urlpatterns = [
    path("", views.index, name="index"),
]
for _part in PARTS:
    urlpatterns += import_module(f"{__package__}.urls_{_part}").urlpatterns
