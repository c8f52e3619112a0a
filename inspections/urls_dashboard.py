"""Routes of the dashboard part (included by inspections/urls.py)."""

urlpatterns: list = []
