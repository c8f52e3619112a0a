"""API routes of the intake part (included by inspections/api/urls.py)."""

urlpatterns: list = []
