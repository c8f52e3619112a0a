"""Official PDF documents: a Django template rendered by WeasyPrint on the shared letterhead.

Resources a document may use, and nothing else (``DocumentUrlFetcher``):

* ``static:css/documents.css`` — a file found by the staticfiles finders (STATICFILES_DIRS and
  the apps' ``static/``);
* ``media:<name>`` — an uploaded file from the default storage (photos in a one-time notice);
* ``data:`` URIs.

``file://`` (WeasyPrint would read ``/etc/passwd``, or hang forever on ``/dev/urandom``),
``http(s)://`` (a template or user text must not make the server call out) and every other
scheme are refused: the fetcher logs the refusal and raises, and WeasyPrint renders the document
without that resource.

Fonts are named explicitly in the letterhead's stylesheet: with a generic family, Pango may pick
a font without the CJK extension characters that appear in some personal names.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .masking import mask_id_number, mask_phone

logger = logging.getLogger(__name__)

# A stylesheet, logo or photo larger than this is refused rather than read into memory.
MAX_RESOURCE_BYTES = 20 * 1024 * 1024
ALLOWED_SCHEMES = ("static", "media", "data")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


class DocumentResourceRefused(ValueError):
    """A document asked for a resource outside what official documents may use."""


class DocumentUrlFetcher(URLFetcher):
    """Serves ``static:``, ``media:`` and ``data:`` resources; refuses everything else, at once."""

    def __init__(self) -> None:
        # No network timeout matters: no network scheme is ever opened.
        super().__init__(timeout=5, allowed_protocols=["data"], allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        match = _SCHEME.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "static":
            return self._from_static(url, url[len("static:") :])
        if scheme == "media":
            return self._from_media(url, url[len("media:") :])
        return self._refuse(url, "scheme not allowed")

    def _refuse(self, url: str, why: str) -> URLFetcherResponse:
        logger.warning("PDF resource refused (%s): %s", why, url[:200])
        raise DocumentResourceRefused(f"{why}: {url[:200]}")

    def _from_static(self, url: str, name: str) -> URLFetcherResponse:
        name = _clean_name(unquote(name.split("?", 1)[0].split("#", 1)[0]))
        if name is None:
            return self._refuse(url, "bad static path")
        try:
            found = finders.find(name)
        except SuspiciousFileOperation:
            found = None
        if not found:
            return self._refuse(url, "no such static file")
        path = Path(found)
        if not path.is_file() or path.stat().st_size > MAX_RESOURCE_BYTES:
            return self._refuse(url, "not a regular file or too large")
        return _response(url, path.read_bytes(), name)

    def _from_media(self, url: str, name: str) -> URLFetcherResponse:
        name = _clean_name(unquote(name.split("?", 1)[0].split("#", 1)[0]))
        if name is None:
            return self._refuse(url, "bad media path")
        try:
            if not default_storage.exists(name) or default_storage.size(name) > MAX_RESOURCE_BYTES:
                return self._refuse(url, "no such media file or too large")
            with default_storage.open(name, "rb") as handle:
                data = handle.read(MAX_RESOURCE_BYTES + 1)
        except (SuspiciousFileOperation, OSError):
            return self._refuse(url, "media file unreadable")
        return _response(url, data, name)


def _clean_name(name: str) -> str | None:
    """A relative path without ``..``, control characters or a drive/root; None if unsafe."""
    name = name.lstrip("/")
    if not name or "\x00" in name or "\\" in name:
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return name


def _response(url: str, data: bytes, name: str) -> URLFetcherResponse:
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body=data, headers={"Content-Type": content_type})


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a document template (usually extending ``documents/letterhead.html``) to PDF bytes.

    ``base_url`` resolves relative links, if a template has any; resources still go through the
    strict fetcher whatever it is.
    """
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=base_url, url_fetcher=DocumentUrlFetcher())
    return document.write_pdf()


def sample_letter_context(
    *,
    recipient_name: str,
    id_number: str,
    phone: str = "",
    issuer: str = "丽水市消防救援支队",
    doc_number: str = "丽消告字〔2026〕第0001号",
    issued_on: date | None = None,
) -> dict[str, Any]:
    """Context of ``documents/sample_letter.html``; personal numbers are masked here, never in
    the template, so a full ID number cannot reach the PDF."""
    return {
        "issuer": issuer,
        "doc_number": doc_number,
        "issued_on": issued_on or timezone.localdate(),
        "document_title": "消防安全告知函",
        "recipient_name": recipient_name,
        "id_number_masked": mask_id_number(id_number),
        "phone_masked": mask_phone(phone),
        "venue_name": "丽水市莲都区示例商场",
        "venue_address": "浙江省丽水市莲都区紫金街道",
        "paragraphs": [
            "经查，你单位经营的场所存在疏散通道堆放杂物、部分应急照明灯具损坏等消防安全隐患。",
            "请于收到本告知函之日起十日内整改完毕，整改期间应当采取措施确保消防安全。",
        ],
    }


# --- Download responses ------------------------------------------------------------------------------
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def safe_pdf_filename(filename: str) -> str:
    """The name without path parts, control or shell-special characters, ending in ``.pdf``."""
    name = unicodedata.normalize("NFC", str(filename))
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" ._")
    if name.lower().endswith(".pdf"):
        name = name[:-4].rstrip(" ._")
    name = name[:120] or "document"
    return f"{name}.pdf"


def ascii_pdf_filename(filename: str) -> str:
    """A plain-ASCII fallback for clients that do not read ``filename*`` (RFC 6266 §4.3)."""
    stem = safe_pdf_filename(filename)[:-4]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._")
    return f"{ascii_stem or 'document'}.pdf"


def pdf_response(pdf: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An ``application/pdf`` response whose Chinese file name survives every browser.

    ``filename*=UTF-8''…`` (RFC 5987) carries the real name; ``filename="…"`` is an ASCII
    fallback. The documents carry personal data, so no shared cache may keep them.
    """
    name = safe_pdf_filename(filename)
    disposition = "inline" if inline else "attachment"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_pdf_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Content-Length"] = str(len(pdf))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
