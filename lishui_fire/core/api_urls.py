from django.urls import path

from .document_api import DocumentVerifyView

urlpatterns = [
    path("documents/verify/", DocumentVerifyView.as_view(), name="document-verify"),
]
