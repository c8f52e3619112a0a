"""Routes of the visits part (included by inspections/urls.py)."""

from django.urls import path

from .views import visits

urlpatterns = [
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/schedule/", visits.visit_schedule, name="visit_schedule"),
    path("visits/<int:pk>/log/", visits.visit_log, name="visit_log"),
    path("visits/<int:pk>/findings/", visits.finding_add, name="visit_finding_add"),
    path(
        "visits/<int:pk>/findings/<int:finding_pk>/remove/",
        visits.finding_remove,
        name="visit_finding_remove",
    ),
    path("visits/<int:pk>/confirm/", visits.visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/return/", visits.visit_return, name="visit_return"),
    path("visits/<int:pk>/serve-notice/", visits.notice_serve, name="visit_serve_notice"),
    path("visits/<int:pk>/recheck-request/", visits.recheck_request, name="visit_recheck_request"),
    path("visits/documents/<int:pk>/", visits.visit_document, name="visit_document"),
    path("visits/findings/<int:pk>/photo/", visits.finding_photo, name="visit_finding_photo"),
]
