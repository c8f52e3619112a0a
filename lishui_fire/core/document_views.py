"""The public page where anyone checks that a paper copy of an official letter is genuine.

The QR code printed on every letter opens this page with the number and code filled in. A wrong
pair answers "not found" without saying which part was wrong; look-ups are rate-limited per
client address (with the API, ``DocumentVerifyThrottle``).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .document_api import DocumentVerifyThrottle
from .documents import find_issued_document


class VerifyDocumentForm(forms.Form):
    number = forms.CharField(
        label=_("文书编号"),
        max_length=64,
        help_text=_("文书右上方的编号，如 丽莲消检字〔2026〕第0001号"),
    )
    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        help_text=_("文书末尾印制的 8 位验证码，如 ABCD-EFGH"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


@require_GET
def verify_document(request: HttpRequest) -> HttpResponse:
    asked = "number" in request.GET or "code" in request.GET
    form = VerifyDocumentForm(request.GET if asked else None)
    context: dict[str, object] = {"form": form, "asked": asked, "document": None}
    status = 200
    if asked and form.is_valid():
        # The API's throttle, so page and API share one count per address; it reads only the
        # client address (request.META), which a Django request has as well.
        if not DocumentVerifyThrottle().allow_request(request, None):  # type: ignore[arg-type]
            context["throttled"] = True
            status = 429
        else:
            document = find_issued_document(
                number=form.cleaned_data["number"], code=form.cleaned_data["code"]
            )
            context["document"] = document
            status = 200 if document is not None else 404
    elif asked:
        status = 400
    return render(request, "core/verify_document.html", context, status=status)
