"""The personal-data leak harness (issue 8): which fields hold personal numbers, whose they are,
a crawler that renders what each role can reach, and a scanner that finds a full number in it.

Nothing here lists the portal's pages or fields by hand, so a new app is covered the day it
lands:

* **Fields** are found by their validators: a ``CharField`` with ``validate_mainland_mobile`` is
  a phone number, one with ``validate_id_number`` an ID-card number (公民身份号码). A guard test
  (``test_pii_fields.py``) fails when a field *named* like one has neither, so a field cannot
  escape the scan by forgetting its validator.
* **Values** are read from the database after the demo world is seeded (and the blank ones
  filled with distinctive numbers), each with its holders: (model, pk, field, data subject).
* **Pages** are crawled breadth-first from every GET URL pattern without arguments and the
  role's home, following links, redirects and GET forms; **API** operations come from the
  drf-spectacular schema with real ids; PDFs are decoded to text (pypdf), CSVs read as text.

A full number in a response is allowed only when the viewer is its data subject (their own
number: ADR 0015), or when the request wrote an ACCESS entry to the audit log for that viewer
and one of the value's holders (``lishui_fire.core.audit.record_view``). Anything else is a leak.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

PHONE, ID_NUMBER = "phone", "id_number"

# A field named like this holds a personal number; it must carry the validator that says which.
SUSPECT_NAME = re.compile(
    r"(^|_)(phone|mobile|tel|telephone|cellphone|id_number|id_no|id_card|idcard|identity_number"
    r"|citizen_id)($|_)|电话|手机|身份证|身份号码",
    re.IGNORECASE,
)

# Separators a page might put inside a number: spaces (also no-break and ideographic), hyphens.
_SEP = r"[\s\-\u00a0\u3000\u2010-\u2015]{0,2}"
# A mainland mobile, alone or after +86/0086, written 13812345678, 138 1234 5678, 138-1234-5678.
PHONE_RE = re.compile(
    rf"(?:(?<!\d)|(?<=\+86)|(?<=0086))(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)"
)
# An 18-digit ID number, alone or grouped 6-8-4.
ID_RE = re.compile(rf"(?<!\d)(\d{{6}}){_SEP}(\d{{8}}){_SEP}(\d{{3}}[\dXx])(?![\dXx])")


# --- Fields and values ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PiiField:
    model: Any
    name: str
    kind: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"


def _kind(f: Any) -> str | None:
    from lishui_fire.core.validators import validate_id_number, validate_mainland_mobile

    validators = getattr(f, "validators", ())
    if validate_mainland_mobile in validators:
        return PHONE
    if validate_id_number in validators:
        return ID_NUMBER
    return None


def pii_fields() -> list[PiiField]:
    """Every concrete text field of every installed model that holds a phone or ID number."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            kind = _kind(f)
            if kind:
                found.append(PiiField(model, f.name, kind))
    return found


# Named like a personal number but holding none, each with the reason.
NOT_PERSONAL = {
    "accounts.OrgUnit.hotline": "a unit's public enquiry hotline, printed on every page",
    "core.PhoneCode.phone_masked": "stored already masked (138****5678)",
}


def suspect_fields_without_validator() -> list[str]:
    """Fields named like a phone or ID number (name or verbose name) that carry no validator."""
    from django.apps import apps
    from django.db import models

    bad = []
    for model in apps.get_models():
        if model._meta.app_label in {"auth", "admin", "contenttypes", "sessions", "auditlog"}:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField) or _kind(f):
                continue
            label = f"{model._meta.label}.{f.name}"
            if label in NOT_PERSONAL:
                continue
            if SUSPECT_NAME.search(f.name) or SUSPECT_NAME.search(str(f.verbose_name)):
                bad.append(label)
    return bad


# The foreign key that names whose record a row is: the person the number belongs to.
SUBJECT_FKS = ("applicant", "recipient", "user", "owner")


def subject_lookup(model: Any) -> str | None:
    """The ``values_list`` path to the data subject's user id, or None (a unit's contact)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if model is user_model:
        return "pk"
    for name in SUBJECT_FKS:
        try:
            f = model._meta.get_field(name)
        except Exception:  # noqa: S112 - FieldDoesNotExist; try the next name
            continue
        if getattr(f, "related_model", None) is user_model:
            return f"{name}_id"
    # One step further: a delivery belongs to the application's applicant.
    for f in model._meta.concrete_fields:
        related = getattr(f, "related_model", None)
        if f.is_relation and related is not None and related is not user_model:
            inner = subject_lookup_direct(related, user_model)
            if inner:
                return f"{f.name}__{inner}"
    return None


def subject_lookup_direct(model: Any, user_model: Any) -> str | None:
    for name in SUBJECT_FKS:
        try:
            f = model._meta.get_field(name)
        except Exception:  # noqa: S112
            continue
        if getattr(f, "related_model", None) is user_model:
            return f"{name}_id"
    return None


@dataclass(frozen=True)
class Holder:
    """Where a known number is stored, and whose it is."""

    label: str  # app_label.Model.field
    content_type_id: int
    pk: str
    field: str
    subject_id: int | None


@dataclass
class Known:
    """Every personal number in the database, normalised (digits, upper-case X), with holders."""

    holders: dict[str, list[Holder]] = field(default_factory=lambda: defaultdict(list))
    kinds: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_database(cls) -> Known:
        from django.contrib.contenttypes.models import ContentType

        known = cls()
        for pf in pii_fields():
            ct = ContentType.objects.get_for_model(pf.model)
            lookup = subject_lookup(pf.model)
            cols = ["pk", pf.name, *([lookup] if lookup else [])]
            for row in pf.model._default_manager.exclude(**{pf.name: ""}).values_list(*cols):
                pk, value = row[0], row[1]
                subject = row[2] if lookup else None
                norm = normalise(value)
                known.kinds[norm] = pf.kind
                known.holders[norm].append(
                    Holder(pf.label, ct.pk, str(pk), pf.name, subject and int(subject))
                )
        return known

    def add(self, value: str, holder: Holder, kind: str = PHONE) -> None:
        """A number kept somewhere no field validator names (an uploaded file, free text)."""
        norm = normalise(value)
        self.kinds[norm] = kind
        self.holders[norm].append(holder)

    def __len__(self) -> int:
        return len(self.holders)


def normalise(value: str) -> str:
    return re.sub(r"[^\dXx]", "", str(value)).upper()


# --- Text of a response -------------------------------------------------------------------------
def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def response_text(response: Any) -> str:
    """What a reader of the response sees, in every encoding we can undo: the raw text, its HTML
    entities decoded, its JSON strings decoded (``\\u0031`` escapes), a PDF's extracted text,
    the headers (a file name, a Location), and any Django messages left in the session."""
    ctype = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [f"{k}: {v}" for k, v in response.items()]
    if "pdf" in ctype or body[:5] == b"%PDF-":
        parts.append(pdf_text(body))
        return "\n".join(parts)
    if not any(t in ctype for t in ("text", "json", "csv", "xml", "javascript")):
        return "\n".join(parts)
    text = body.decode(response.charset or "utf-8", errors="replace")
    parts += [text, html.unescape(text)]
    if "json" in ctype:
        with contextlib.suppress(ValueError):
            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return "\n".join(parts)


def full_numbers(text: str, known: Known) -> set[str]:
    """The known numbers that occur in full in ``text``."""
    found = set()
    for regex in (PHONE_RE, ID_RE):
        for m in regex.finditer(text):
            value = "".join(m.groups()).upper()
            if value in known.holders:
                found.add(value)
    return found


# --- Links ----------------------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.post_forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("a", "area", "link") and a.get("href"):
            if tag != "link" or a.get("rel") in ("alternate", ""):
                self.links.append(a["href"])
        elif tag == "iframe" and a.get("src"):
            self.links.append(a["src"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            self._form = {"method": method, "action": a.get("action", ""), "fields": []}
        elif tag == "input" and self._form is not None:
            kind = a.get("type", "text").lower()
            if a.get("name") and kind not in ("submit", "file", "button", "image", "password"):
                if kind in ("checkbox", "radio") and "checked" not in a:
                    return
                self._form["fields"].append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            form, self._form = self._form, None
            if form["method"] == "get":
                fields = [(k, v) for k, v in form["fields"] if k != "csrfmiddlewaretoken"]
                query = urlencode(fields)
                self.links.append(form["action"] + ("?" + query if query else ""))
            elif form["method"] == "post":
                self.post_forms.append((form["action"], form["fields"]))


def parse_links(text: str) -> tuple[list[str], list[tuple[str, list[tuple[str, str]]]]]:
    """The page's GET targets (links, GET forms with their fields) and its POST forms (action,
    the inputs as rendered: hidden values, prefilled text, checked boxes)."""
    parser = _Links()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: S110 - a page we cannot parse still gets scanned
        pass
    return parser.links, parser.post_forms


# --- The crawl ------------------------------------------------------------------------------------
SKIP_PREFIXES = (
    "/static/",
    "/accounts/logout/",
    "/accounts/password",  # reset and change forms: no personal numbers, and side effects
    "/i18n/",
    "/api/docs/",
    "/api/schema/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/admin/password_change/",
    "/admin/r/",  # "view on site" redirects out of the admin
)


ADMIN_PREFIX = "/admin/"


def shape(url: str) -> str:
    """A URL's family: digits in the path become {n}, the query keeps only its parameter names."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "{n}", parts.path)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Finding:
    role: str
    url: str
    value: str
    holders: list[Holder]
    why: str

    def __str__(self) -> str:
        where = ", ".join(f"{h.label}#{h.pk}" for h in self.holders[:3])
        return f"{self.role:<12} {self.url}  {self.value} ({where}): {self.why}"


@dataclass
class Scan:
    """One role's crawl: what was fetched, the leaks, and the full values shown with an audit."""

    role: str
    user: Any
    known: Known
    per_shape: int = 3  # URLs of one shape (a detail page: three records in their states)
    per_admin_shape: int = 2  # the admin's change pages look alike whatever the record
    max_responses: int = 600
    responses: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # kind → n
    leaks: list[Finding] = field(default_factory=list)
    audited: list[Finding] = field(default_factory=list)
    own: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    shapes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: float = 0.0

    def __post_init__(self) -> None:
        from django.test import Client

        self.client = Client(raise_request_exception=False)
        self.api_client = Client(raise_request_exception=False, HTTP_ACCEPT="application/json")
        if self.user is not None:
            backend = "lishui_fire.accounts.backends.UsernameOrPhoneBackend"
            self.client.force_login(self.user, backend=backend)
            self.api_client.force_login(self.user, backend=backend)

    # One request, scanned.
    def fetch(
        self,
        url: str,
        *,
        method: str = "get",
        api: bool = False,
        data: dict[str, str] | None = None,
        follow: bool = False,
    ) -> Any:
        from auditlog.models import LogEntry

        last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        client = self.api_client if api else self.client
        if method == "get":
            response = client.get(url, follow=follow)
        else:
            response = client.post(url, data or {}, follow=follow)
        text = response_text(response)
        ctype = response.get("Content-Type", "")
        kind = (
            "pdf"
            if "pdf" in ctype
            else "csv"
            if "csv" in ctype
            else "api"
            if "json" in ctype
            else "page"
        )
        self.responses[kind] += 1
        if response.status_code >= 500:
            self.errors.append(f"{self.role} {method.upper()} {url}: {response.status_code}")
        found = full_numbers(text, self.known)
        if found:
            self._judge(
                url, found, LogEntry.objects.filter(pk__gt=last, action=LogEntry.Action.ACCESS)
            )
        return response, text

    def _judge(self, url: str, found: set[str], access: Any) -> None:
        me = getattr(self.user, "pk", None)
        entries = (
            {
                (e.content_type_id, e.object_pk, (e.additional_data or {}).get("field"))
                for e in access.filter(actor_id=me)
            }
            if me
            else set()
        )
        for value in sorted(found):
            holders = self.known.holders[value]
            if me is not None and any(h.subject_id == me for h in holders):
                self.own.append(Finding(self.role, url, value, holders, "own"))
            elif any((h.content_type_id, h.pk, h.field) in entries for h in holders):
                self.audited.append(Finding(self.role, url, value, holders, "audited"))
            else:
                why = "full value shown without an audit entry for this viewer"
                self.leaks.append(Finding(self.role, url, value, holders, why))

    # The crawl.
    def crawl(
        self,
        starts: Iterable[str],
        *,
        reveal_names: tuple[str, ...] = ("reveal",),
        submit_forms: bool = True,
        max_posts: int = 40,
    ) -> None:
        """Breadth-first GETs from ``starts``; then each audited reveal button once; then, with
        ``submit_forms``, one POST form of each shape sent as rendered (hidden and prefilled
        values only, so most come back with field errors) in a savepoint rolled back at once,
        its redirect followed: what form errors and Django messages echo is scanned too."""
        from django.db import transaction
        from django.urls import Resolver404, resolve

        t0 = time.monotonic()
        queue: deque[str] = deque()
        reveals: dict[str, str] = {}
        posts: dict[str, tuple[str, list[tuple[str, str]]]] = {}

        def push(url: str, base: str) -> None:
            absolute = urljoin(base, html.unescape(url))
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https", "") or parts.netloc not in ("", "testserver"):
                return
            query = parts.query
            if parts.path.startswith(ADMIN_PREFIX):
                # The admin's sort orders, filters and facets show the same rows again.
                query = ""
            local = parts.path + ("?" + query if query else "")
            if not parts.path.startswith("/") or local.startswith(SKIP_PREFIXES):
                return
            if local in self.seen:
                return
            s = shape(local)
            limit = self.per_admin_shape if local.startswith(ADMIN_PREFIX) else self.per_shape
            if self.shapes[s] >= limit:
                return
            self.shapes[s] += 1
            self.seen.add(local)
            queue.append(local)

        for url in starts:
            push(url, "http://testserver/")
        while queue and sum(self.responses.values()) < self.max_responses:
            url = queue.popleft()
            response, text = self.fetch(url)
            if response.status_code in (301, 302, 303, 307, 308):
                push(response["Location"], "http://testserver" + url)
                continue
            if "html" not in response.get("Content-Type", ""):
                continue
            links, post_forms = parse_links(text)
            for link in links:
                push(link, "http://testserver" + url)
            for action, fields in post_forms:
                target = urlsplit(urljoin("http://testserver" + url, action or url)).path
                if target.startswith(SKIP_PREFIXES):
                    continue
                try:
                    name = resolve(target).url_name or ""
                except Resolver404:
                    continue
                s = shape(target)
                if any(r in name for r in reveal_names):
                    reveals.setdefault(s, target)
                else:
                    posts.setdefault(s, (target, fields))
        # The audited "show the full number" buttons: one of each kind, kept (like a GET).
        for target in reveals.values():
            self.fetch(target, method="post")
            self.responses["reveal"] += 1
        if submit_forms:
            for target, fields in list(posts.values())[:max_posts]:
                with transaction.atomic():
                    self.fetch(target, method="post", data=dict(fields), follow=True)
                    self.responses["post"] += 1
                    transaction.set_rollback(True)
        self.seconds += time.monotonic() - t0

    def crawl_api(self, schema: dict[str, Any], ids_for: Any) -> None:
        """Every GET operation of the schema; ``{id}`` filled with ids from ``ids_for(list_path)``."""
        t0 = time.monotonic()
        for path, ops in schema["paths"].items():
            if "get" not in ops or path.startswith(SKIP_PREFIXES):
                continue
            if "{" not in path:
                self.fetch(path, api=True)
                continue
            list_path = path.split("{", 1)[0]
            for pk in ids_for(self, list_path):
                self.fetch(re.sub(r"\{[^}]+\}", str(pk), path), api=True)
        self.seconds += time.monotonic() - t0

    def list_ids(self, list_path: str, limit: int = 2) -> list[Any]:
        response = self.api_client.get(list_path)
        if response.status_code != 200:
            return []
        try:
            data = response.json()
        except ValueError:
            return []
        rows = data.get("results", data) if isinstance(data, dict) else data
        return [r["id"] for r in rows[:limit] if isinstance(r, dict) and "id" in r]


def iter_argless_get_urls() -> Iterator[str]:
    """Every URL pattern of the project that takes no argument (lists, dashboards, forms)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: Any, prefix: str) -> Iterator[str]:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                if "<" in route or "(?P" in route:
                    continue
                yield from walk(p.url_patterns, prefix + route.lstrip("^").rstrip("$"))
            elif isinstance(p, URLPattern):
                if "<" in route or "(?P" in route or "(" in route:
                    continue
                yield "/" + (prefix + route.lstrip("^").rstrip("$")).lstrip("/")

    seen = set()
    for url in walk(get_resolver().url_patterns, ""):
        url = url.replace("\\", "")
        if url not in seen:
            seen.add(url)
            yield url
