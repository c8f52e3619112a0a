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

The issued-document life cycle, the same for every app's letters (docs/adr/0010):

* ``IssuedDocument`` is the abstract row every app's letter model subclasses (a permit decision,
  a penalty decision …): number, kind, issuing brigade, party, verification code, the stored PDF
  and its SHA-256.
* ``next_document_number`` gives the yearly, gap-free number inside the caller's transaction;
  ``issue_document`` creates the row there and asks for the PDF after commit (nothing is
  rendered for a decision that rolled back).
* ``render_issued_document`` renders a row's PDF once: a row that has its file is left alone,
  a render that failed is counted and can be tried again. One Celery task renders any issued
  document by (model label, pk); ``render_missing_documents`` is the beat sweep that catches up
  what was never enqueued (the broker was down).
* Every letter prints its verification code and a QR code to the public page
  (``core:verify_document``) where anyone checks that a paper copy is genuine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
import re
import secrets
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, unquote, urlencode

import segno
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .jobs import enqueue, enqueue_now
from .masking import mask_id_number, mask_name, mask_phone
from .models import Sequence

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

    def _from_static(self, url: str, raw: str) -> URLFetcherResponse:
        name = _clean_name(unquote(raw.split("?", 1)[0].split("#", 1)[0]))
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

    def _from_media(self, url: str, raw: str) -> URLFetcherResponse:
        name = _clean_name(unquote(raw.split("?", 1)[0].split("#", 1)[0]))
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


# --- Numbering -----------------------------------------------------------------------------------------
def next_sequence_value(name: str, year: int) -> int:
    """The next number of a yearly counter, without gaps or duplicates under concurrency.

    The increment is one ``UPDATE … SET last_value = last_value + 1``: the row lock it takes is
    held to the end of the caller's transaction, so a rolled-back decision gives its number back
    and two concurrent callers never read the same value.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                Sequence.objects.get_or_create(name=name, year=year)
        except IntegrityError:
            pass  # created by a concurrent caller between our read and insert
        Sequence.objects.filter(name=name, year=year).update(last_value=F("last_value") + 1)
        return Sequence.objects.get(name=name, year=year).last_value


def next_document_number(series: str, year: int, template: str) -> str:
    """The next number of a yearly document series, formatted: ``template`` receives ``year``
    and ``seq`` (``"丽莲消受字〔{year}〕第{seq:04d}号"`` → 丽莲消受字〔2026〕第0001号)."""
    seq = next_sequence_value(series, year)
    return template.format(year=year, seq=seq)


# --- Issued documents -------------------------------------------------------------------------------------
# No 0/O or 1/I: a code read off paper and typed in cannot be mistaken. 32**8 = 2**40 codes.
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
VERIFICATION_CODE_LENGTH = 8
# A render that fails this often is left to an administrator (see render_error).
MAX_RENDER_ATTEMPTS = 10


def new_verification_code() -> str:
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _i in range(VERIFICATION_CODE_LENGTH))


def normalise_verification_code(value: str) -> str:
    """What a person types (``abcd-efgh``, with spaces) as stored (``ABCDEFGH``)."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def format_verification_code(code: str) -> str:
    """ABCDEFGH → ABCD-EFGH, as printed."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if code else ""


def issued_document_upload_to(instance: IssuedDocument, filename: str) -> str:
    now = timezone.localtime()
    return f"{instance._meta.app_label}/{instance.upload_folder}/{now:%Y/%m}/{filename}"


class IssuedDocument(models.Model):
    """An official letter as issued: numbered once, rendered once, checkable by anyone.

    A concrete subclass sets ``renderer`` (the dotted path of ``fn(document) -> bytes``, so
    that the model module need not import the module that renders it), links its subject
    (``application = ForeignKey(…)``) and may narrow ``kind`` with choices.
    """

    kind = models.CharField(_("文书"), max_length=32)
    number = models.CharField(_("文书编号"), max_length=64)
    file = models.FileField(upload_to=issued_document_upload_to, max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    brigade = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+"
    )
    # In full here; masked wherever the public sees it (mask_party).
    party_name = models.CharField(_("当事人"), max_length=128, blank=True)
    verification_code = models.CharField(
        _("验证码"), max_length=16, unique=True, default=new_verification_code, editable=False
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    render_error = models.CharField(max_length=500, blank=True)

    renderer: ClassVar[str] = ""
    upload_folder: ClassVar[str] = "documents"
    # Joined when rendering: what the renderer reads (the subject, its brigade …).
    render_related: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @property
    def kind_label(self) -> str:
        """The document's name as the public verification page shows it."""
        display = getattr(self, "get_kind_display", None)
        return str(display()) if display else self.kind

    @property
    def party_masked(self) -> str:
        return mask_party(self.party_name)

    @property
    def verification_code_display(self) -> str:
        return format_verification_code(self.verification_code)

    def pdf_file_name(self, pdf: bytes) -> str:
        return f"{self.kind}-{self.pk}.pdf"


D = TypeVar("D", bound=IssuedDocument)


def mask_party(name: str) -> str:
    """A person's name as 张*; a unit's name with its middle hidden (丽水***********公司)."""
    name = (name or "").strip()
    if len(name) <= 4:
        return mask_name(name)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def issued_document_models() -> list[type[IssuedDocument]]:
    """Every concrete issued-document model of the installed apps."""
    return [model for model in apps.get_models() if issubclass(model, IssuedDocument)]


def issued_document_model(label: str) -> type[IssuedDocument]:
    """The issued-document model ``app_label.ModelName``; LookupError for anything else."""
    model = apps.get_model(label)
    if not issubclass(model, IssuedDocument):
        raise LookupError(f"{label} is not an issued document")
    return model


def issue_document(model: type[D], *, number: str, **fields: Any) -> D:
    """Create the issued row inside the caller's transaction; its PDF is rendered after commit."""
    document = model._default_manager.create(number=number, **fields)
    render_after_commit(document)
    return document


RENDER_TASK = "lishui_fire.core.tasks.render_issued_document"


def render_after_commit(document: IssuedDocument) -> None:
    # By name through the jobs door (this module and core.tasks must not import each other); a
    # broker outage is logged there, and render_missing_documents renders the row later.
    enqueue(RENDER_TASK, document._meta.label, document.pk)


def request_render(document: IssuedDocument) -> bool:
    """Ask the workers for the PDF of a document that has none yet; True if it is there now.

    What a download does when the file is not there (the task has not run yet, or the broker was
    down when the letter was issued): it never renders in the request. The ask goes through the
    jobs door once per ``DOCUMENT_RENDER_REQUEST_WINDOW`` seconds and document (a cache key
    taken with ``add``), so a person refreshing the page, or a client polling the API, enqueues
    one render, not one per request; the task itself renders a row once however often it runs.
    The row is committed (the download read it), so the message goes at once. Without a broker
    (eager mode, ADR 0003: no worker exists) the task has run in-process by the time this
    returns, and the document is read again to say so.
    """
    if document.file:
        return True
    key = (
        f"documents:render-requested:{document._meta.label_lower}:{document.pk}"
        f":{document.verification_code}"  # unique per row: a reused pk is another key
    )
    if not cache.add(key, 1, timeout=settings.DOCUMENT_RENDER_REQUEST_WINDOW):
        return False
    enqueue_now(RENDER_TASK, document._meta.label, document.pk)
    document.refresh_from_db(fields=["file", "sha256", "rendered_at"])
    return bool(document.file)


def render_issued_document_by_label(label: str, pk: int) -> IssuedDocument:
    """``render_issued_document`` for ``app_label.ModelName`` (what the task receives)."""
    return render_issued_document(issued_document_model(label), pk)


def render_issued_document(model: type[D], pk: int) -> D:
    """Render and keep the PDF of an issued document, once. Safe to call twice.

    A row that has its file is returned unchanged (what was issued never changes afterwards).
    A render that raises is counted on the row (``render_attempts``, ``render_error``) and the
    error re-raised, so the task retries and the sweep tries again later.
    """
    renderer = import_string(model.renderer)
    error: Exception | None = None
    manager = model._default_manager
    # A row that has its file is read without a lock: only a render needs one.
    done = manager.select_related("brigade", "issued_by", *model.render_related).filter(pk=pk)
    found = done.exclude(file="").first()
    if found is not None:
        return found
    with transaction.atomic():
        document = (
            # of=("self",): issued_by is nullable, and PostgreSQL refuses FOR UPDATE on the
            # nullable side of an outer join; the joined rows need no lock for the seconds the
            # PDF takes.
            manager.select_for_update(of=("self",))
            .select_related("brigade", "issued_by", *model.render_related)
            .get(pk=pk)
        )
        if document.file:
            return document
        try:
            pdf = renderer(document)
        except Exception as exc:
            manager.filter(pk=pk).update(
                render_attempts=F("render_attempts") + 1,
                render_error=f"{type(exc).__name__}: {exc}"[:500],
            )
            error = exc
        else:
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.file.save(document.pdf_file_name(pdf), ContentFile(pdf), save=False)
            document.rendered_at = timezone.now()
            document.render_attempts += 1
            document.render_error = ""
            document.save(
                update_fields=["file", "sha256", "rendered_at", "render_attempts", "render_error"]
            )
    if error is not None:
        raise error
    return document


def render_missing_documents(
    *, older_than: dt.timedelta = dt.timedelta(minutes=5), limit: int = 100
) -> int:
    """Render issued documents that still have no PDF (their task was never enqueued, or
    failed); the newest few minutes are left to the task that is probably running now."""
    cutoff = timezone.now() - older_than
    rendered = 0
    for model in issued_document_models():
        pending = (
            model._default_manager.filter(file="", issued_at__lt=cutoff)
            .filter(render_attempts__lt=MAX_RENDER_ATTEMPTS)
            .order_by("issued_at", "pk")
            .values_list("pk", flat=True)[: limit - rendered]
        )
        for pk in list(pending):
            try:
                render_issued_document(model, pk)
            except Exception:
                logger.exception("render of %s %s failed", model._meta.label, pk)
                continue
            rendered += 1
        if rendered >= limit:
            break
    return rendered


# --- Verification ---------------------------------------------------------------------------------------
def verification_url(document: IssuedDocument) -> str:
    """The absolute address of the public check of this document, as printed and in the QR."""
    query = urlencode({"number": document.number, "code": document.verification_code})
    base = str(settings.PORTAL_BASE_URL).rstrip("/")
    return f"{base}{reverse('core:verify_document')}?{query}"


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URI (the PDF fetcher allows data:)."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def verification_context(document: IssuedDocument) -> dict[str, Any]:
    """What the letterhead prints under every letter: the code, the QR and the address."""
    url = verification_url(document)
    return {
        "verification_code": document.verification_code_display,
        "verification_url": url,
        "verification_page": url.split("?", 1)[0],
        "verification_qr": qr_data_uri(url),
    }


def find_issued_document(*, number: str, code: str) -> IssuedDocument | None:
    """The issued document with this number and code, or None; which part was wrong is not said."""
    number = (number or "").strip()
    code = normalise_verification_code(code)
    if not number or len(code) != VERIFICATION_CODE_LENGTH:
        return None
    for model in issued_document_models():
        found = (
            model._default_manager.select_related("brigade")
            .filter(verification_code=code, number=number)
            .first()
        )
        if found is not None:
            return found
    return None


@checks.register()
def check_issued_document_renderers(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    errors = []
    for model in issued_document_models():
        try:
            import_string(model.renderer)
        except ImportError:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.renderer {model.renderer!r} cannot be imported",
                    obj=model,
                    id="core.E401",
                )
            )
    return errors
