"""The main pages of every role, found the way a person finds them: by following links.

Used by the page guards (tests/harness/test_a11y_pages.py, Django test client) and the axe run in
a real browser (tests/browser/test_a11y_axe.py). A crawl starts from the public home page and the
role's landing page (``/accounts/home/`` redirects there), then follows every same-site ``<a
href>`` of every HTML page it reaches, breadth first.

What counts as one page is a URL *name* (``permits:my_application``): the first address found for
a name stands for it (query strings aside), and ``per_name`` more addresses of the same name may
be kept for cheap checks (a detail page in several states). That bounds the crawl by the URL map,
not by the data, and it is deterministic for a given demo world (links are followed in document
order, BFS).

Not crawled: the Django admin (Django's own pages), the JSON API and its schema, static and
media files, POST-only endpoints (sign-out, language switch), and whatever is not ``200
text/html`` (PDF and CSV downloads, redirects are followed once to see where they land).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

DEMO_PASSWORD = "lishui-demo-2026"

# Demo accounts of ``manage.py seed_demo``, one per role (None: not signed in).
ROLE_USERS: dict[str, str | None] = {
    "anonymous": None,
    "applicant": "citizen1",
    "inspector": "inspector1",
    "brigade_supervisor": "supervisor1",
    "detachment_supervisor": "chief1",
    "legal_officer": "legal1",
    "discipline_officer": "discipline1",
    "administrator": "admin",
}

SKIP_PREFIXES = ("/admin/", "/api/v1/", "/api/schema/", "/static/", "/media/", "/i18n/")
# GET would only answer 405 or is not a page of its own.
SKIP_NAMES = {"accounts:logout", "set_language"}
# Pages outside the crawl that every visitor can reach from the footer or the login form.
EXTRA_START = ("/", "/api/docs/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str, base: str) -> list[str]:
    """Same-site paths (with query, without fragment) linked from ``html``, in document order."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.netloc not in ("", "testserver") and parts.scheme:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        found.append(path)
    return found


def url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Page:
    name: str  # URL name, e.g. "permits:mine"
    path: str  # the address visited
    html: str = field(repr=False)


def crawl(client, start: list[str], *, per_name: int = 1, limit: int = 400) -> list[Page]:
    """Pages reachable from ``start`` for ``client``'s user: the first ``per_name`` addresses of
    each URL name, in BFS order. ``limit`` bounds the requests made (a runaway guard)."""
    seen_paths: set[str] = set()
    kept: dict[str, int] = {}
    pages: list[Page] = []
    queue = deque(start)
    requests = 0
    while queue and requests < limit:
        path = queue.popleft()
        if path in seen_paths or path.startswith(SKIP_PREFIXES):
            continue
        seen_paths.add(path)
        name = url_name(path)
        if name is None or name in SKIP_NAMES or kept.get(name, 0) >= per_name:
            continue
        requests += 1
        response = client.get(path, follow=True)
        if response.redirect_chain:  # e.g. /accounts/home/ → the role's landing page
            final = response.redirect_chain[-1][0]
            path = urlsplit(final).path + (
                f"?{urlsplit(final).query}" if urlsplit(final).query else ""
            )
            name = url_name(path) or name
            if kept.get(name, 0) >= per_name or path.startswith(SKIP_PREFIXES):
                continue
            seen_paths.add(path)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        html = response.content.decode()
        kept[name] = kept.get(name, 0) + 1
        pages.append(Page(name=name, path=path, html=html))
        queue.extend(links(html, path))
    return pages


def start_points(role: str) -> list[str]:
    return ["/accounts/home/", *EXTRA_START] if ROLE_USERS[role] else ["/", "/accounts/login/"]


# --- What every page must have (checked on the HTML; the browser checks the rendered page) -------
_H1 = re.compile(r"<h1[\s>]")
_TITLE = re.compile(r"<title>\s*([^<]*?)\s*</title>", re.DOTALL)
_LANG = re.compile(r"<html[^>]*\slang=\"([^\"]+)\"")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


_TABLE_BOX = re.compile(r"<div\s[^>]*class=\"table-scroll\"[^>]*>")


def structure_problems(html: str, expected_lang: str) -> list[str]:
    problems = []
    # A table box may scroll sideways on a phone: a keyboard must reach it, a reader hear its name.
    for box in _TABLE_BOX.findall(html):
        labelled = re.search(r'aria-labelledby="([^"]+)"', box)
        if 'tabindex="0"' not in box or 'role="region"' not in box or not labelled:
            problems.append(f"table box not a focusable, named region: {box}")
        elif f'id="{labelled.group(1)}"' not in html:
            problems.append(f"table box named by a missing id: {box}")
    h1 = len(_H1.findall(html))
    if h1 != 1:
        problems.append(f"{h1} <h1>")
    title = _TITLE.search(html)
    if not title or not title.group(1).strip():
        problems.append("no <title>")
    lang = _LANG.search(html)
    if not lang:
        problems.append("no <html lang>")
    elif lang.group(1) != expected_lang:
        problems.append(f'<html lang="{lang.group(1)}">, expected {expected_lang}')
    return problems


def visible_text(html: str) -> str:
    """Text a reader sees (and ``title``/``alt``/``aria-label``/``placeholder`` values), with
    any element marked ``lang="zh-CN"`` (the language switch's "中文") left out."""
    html = _SCRIPT_STYLE.sub(" ", html)
    html = re.sub(
        r"<(\w+)[^>]*\slang=\"zh[^\"]*\"[^>]*>.*?</\1>", " ", html, flags=re.DOTALL | re.I
    )
    attributes = re.findall(r'\s(?:title|alt|aria-label|placeholder)="([^"]*)"', html)
    return " ".join([_TAG.sub(" ", html), *attributes])


def chinese_runs(html: str) -> list[str]:
    """Runs of Chinese characters an English reader would see."""
    return _HAN.findall(visible_text(html))


# --- Chinese an English reader sees: data, or a program string without English ----------------
APP_DIRS = ("lishui_fire", "permits", "inspections", "fire_investigation", "outreach", "feedback")
GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
_TEMPLATE_MARKED = re.compile(
    r"{%\s*(?:translate|trans)\s+(?:\"([^\"]*)\"|'([^']*)')"
    r"|{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}",
    re.DOTALL,
)
_TEMPLATE_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)


def _source_files(root: Path) -> tuple[list[Path], list[Path]]:
    """(templates, python modules) of the portal's own code: no tests, no demo data (demo.py,
    demo_<part>.py) or data migrations (data, not program text), no official letters (documents/: Chinese by law)."""
    templates, modules = [], []
    for top in (root / "templates", *(root / d for d in APP_DIRS)):
        for path in top.rglob("*"):
            parts = path.relative_to(root).parts
            # demo_<part>.py: an app split into parts keeps each part's demo data apart.
            is_demo = path.name in ("demo.py", "seed_demo.py") or path.name.startswith("demo_")
            if {"tests", "migrations", "documents"} & set(parts[:-1]) or is_demo:
                continue
            if path.suffix == ".html":
                templates.append(path)
            elif path.suffix == ".py":
                modules.append(path)
    return templates, modules


def source_strings(root: Path) -> tuple[set[str], set[str]]:
    """(strings marked for translation, every other string literal) of the portal's code."""
    import ast

    marked: set[str] = set()
    literals: set[str] = set()
    templates, modules = _source_files(root)
    for path in templates:
        text = _TEMPLATE_COMMENT.sub(" ", path.read_text(encoding="utf-8"))
        for match in _TEMPLATE_MARKED.finditer(text):
            simple, simple_single, options, body = match.groups()
            if body is None:
                marked.add(simple if simple is not None else simple_single)
                continue
            for part in re.split(r"{%\s*plural\s*%}", body):  # as makemessages writes it
                part = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", part.replace("%", "%%"))
                if "trimmed" in options:
                    part = " ".join(line.strip() for line in part.splitlines() if line.strip())
                marked.add(part)
        literals.add(_TEMPLATE_MARKED.sub(" ", text))
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_calls: set[int] = set()  # marked strings, and docstrings (never shown)
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                in_calls.add(id(node.value))
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in GETTEXT_NAMES:
                    for arg in node.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            marked.add(arg.value)
                            in_calls.add(id(arg))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_calls
                and _HAN.search(node.value)
            ):
                literals.add(node.value)
    return marked, literals


@dataclass
class Untranslated:
    pending: dict[str, set[str]]  # marked for translation, not in the English catalogue yet
    unmarked: dict[str, set[str]]  # program text that never goes through gettext


def untranslated(pages: list[tuple[str, str]], root: Path, catalogue: set[str]) -> Untranslated:
    """Chinese on English ``pages`` ((address, html) pairs) that is program text, not data.

    A run of Chinese characters is data (a venue's name, a brigade's) unless the portal's code
    contains it. Code that contains it marked for translation but lacks it in the English
    catalogue (``catalogue``: msgids with an English text) awaits ``makemessages`` and a
    translator; code that contains it unmarked shows Chinese to English readers for good."""
    marked, literals = source_strings(root)
    pending_strings = [m for m in marked if m not in catalogue and _HAN.search(m)]
    translated = [m for m in marked if m in catalogue]
    found = Untranslated(pending={}, unmarked={})
    for address, html in pages:
        # A lone character is most often data (a masked name, 陈*); too ambiguous to judge.
        for run in {r for r in chinese_runs(html) if len(r) > 1}:
            if any(run in m for m in pending_strings):
                found.pending.setdefault(run, set()).add(address)
            elif any(run in text for text in literals) and not any(run in m for m in translated):
                found.unmarked.setdefault(run, set()).add(address)
    return found
