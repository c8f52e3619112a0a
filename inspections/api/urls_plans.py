"""API routes of the plans part (included by inspections/api/urls.py)."""

urlpatterns: list = []
