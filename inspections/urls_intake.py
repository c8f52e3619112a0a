"""Routes of the intake part (included by inspections/urls.py)."""

urlpatterns: list = []
