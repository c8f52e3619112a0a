from django.urls import path

from . import document_views, views

app_name = "core"

urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("contacts/", views.contacts, name="contacts"),
    path("documents/verify/", document_views.verify_document, name="verify_document"),
]
