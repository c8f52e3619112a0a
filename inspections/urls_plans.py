"""Routes of the plans part (included by inspections/urls.py)."""

urlpatterns: list = []
