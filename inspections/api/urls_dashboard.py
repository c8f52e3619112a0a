"""API routes of the dashboard part (included by inspections/api/urls.py)."""

urlpatterns: list = []
