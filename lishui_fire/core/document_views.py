"""The public page where anyone checks that a paper copy of an official letter is genuine, and
the one download of an issued document every app's pages use (``serve_issued_document``).

The QR code printed on every letter opens this page with the number and code filled in. A wrong
pair answers "not found" without saying which part was wrong; look-ups are rate-limited per
client address (with the API, ``DocumentVerifyThrottle``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .document_api import DocumentVerifyThrottle
from .documents import IssuedDocument, find_issued_document, request_render, safe_pdf_filename


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


def serve_issued_document(
    request: HttpRequest, document: IssuedDocument, filename: str
) -> HttpResponse:
    """The PDF of an issued document as a download, or "being prepared" while it has none.

    The caller has already checked that the person may see the document. A stored file is
    streamed as it is, with no row lock and no render; a document whose PDF is not there yet
    (its task has not run, or the broker was down) is never rendered in the request: the render
    is asked for once (``request_render``, through the jobs door) and the answer is 202 with
    ``Retry-After`` and a page that says so, tries again by itself a few times
    (``static/js/document-retry.js``) and offers a link to try again.
    """
    if document.file or request_render(document):
        try:
            handle = document.file.open("rb")
        except OSError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=safe_pdf_filename(filename),
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        # Letters carry personal data: no shared cache may keep them.
        response["Cache-Control"] = "private, no-store"
        return response
    retry_after = settings.DOCUMENT_RENDER_RETRY_AFTER
    response = render(
        request,
        "core/document_preparing.html",
        {"document": document, "retry_after": retry_after, "again_url": request.get_full_path()},
        status=202,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
