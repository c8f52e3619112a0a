"""API routes of the roster part (included by inspections/api/urls.py): none yet — the register
is personal data served only on its pages."""

urlpatterns: list = []
