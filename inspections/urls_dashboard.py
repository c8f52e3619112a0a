"""Routes of the dashboard part (included by inspections/urls.py)."""

from django.urls import path

from .views import dashboard

urlpatterns: list = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/capped-units/", dashboard.capped_units, name="dashboard_capped_units"),
]
