"""Routes of the visits part (included by inspections/urls.py)."""

urlpatterns: list = []
