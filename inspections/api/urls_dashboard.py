"""API routes of the dashboard part (included by inspections/api/urls.py)."""

from django.urls import path

from .dashboard import InspectionDashboardView

urlpatterns: list = [
    path("inspection-dashboard/", InspectionDashboardView.as_view(), name="inspection-dashboard"),
]
