from django.urls import path

from . import document_views, progress_views, views

app_name = "core"

urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("contacts/", views.contacts, name="contacts"),
    # Progress by reference number and the phone on the case, with an SMS code (no account).
    path("progress/", progress_views.lookup, name="progress"),
    path("progress/code/", progress_views.code, name="progress_code"),
    path("progress/case/", progress_views.case, name="progress_case"),
    path("documents/verify/", document_views.verify_document, name="verify_document"),
]
