"""API routes of the visits part (included by inspections/api/urls.py)."""

urlpatterns: list = []
