"""Routes of the roster part: the recusal register and the officers' certificates (included by
inspections/urls.py)."""

from django.urls import path

from .views import roster

urlpatterns = [
    path("roster/conflicts/mine/", roster.my_conflicts, name="my_conflicts"),
    path("roster/conflicts/", roster.conflict_register, name="conflict_register"),
    path("roster/conflicts/<int:pk>/", roster.conflict_detail, name="conflict_detail"),
    path("roster/conflicts/<int:pk>/decide/", roster.conflict_decide, name="conflict_decide"),
    path("roster/conflicts/<int:pk>/withdraw/", roster.conflict_withdraw, name="conflict_withdraw"),
    path("roster/certificates/", roster.certificates, name="certificates"),
]
