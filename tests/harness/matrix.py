"""The access matrix: every page and API operation × every persona → allowed, 404, 403 or login.

The classification is declarative and lives next to each app's code, in
``<app>/tests/access_matrix.py`` (found through the installed apps, so a new app adds its own
file and nothing here changes):

* ``ROWS``: a list of :class:`Row` — one URL name, one HTTP method, and one expectation per
  persona in ``tests.personas.PERSONAS`` order (owner, other_applicant, inspector,
  other_brigade_inspector, supervisor, chief, administrator, legal_officer, discipline_officer,
  anonymous)::

      Row("permits:my_application", "GET", "ok 404 403 404 403 403 403 403 404 login",
          pk="@submitted")

  ``ok`` means the request passed the gate: a 2xx, or a 3xx that is not the sign-in page;
  ``login`` a redirect to the sign-in page (the admin's own for ``admin:`` URLs); a number, that
  exact status (``404`` outside the caller's scope, ``403`` a role that may not act, ``401`` an
  anonymous API call).
* ``shows={"@name": "ok 404 …"}`` on a list: whom the list shows the world's object to — every
  persona whose list answers ``ok`` must find it exactly where that string says ``ok`` (use the
  object's own row: who may open it is who may see it listed). An API list is searched for the
  object's ``id``; a page for the text, e.g. ``"@submitted.reference"``.
* ``world(personas) -> dict``: the real objects its rows point at, all of them owned by the
  ``owner`` applicant in the LD brigade unless a row says otherwise; a row names one as
  ``"@name"`` (its ``pk``) or ``"@name.attribute"``.
* ``ADMIN``: optional list of :class:`AdminGroup` — the Django admin, classified by prefix.

What must be classified comes from the portal itself, not from the tables: every named URL of
the resolver, with the HTTP methods its view accepts (``require_http_methods`` and friends, a
class-based view's handlers; a plain function view counts as GET and POST), and for the API the
operations of the OpenAPI schema plus any method a viewset route serves. ``test_access_matrix``
fails listing each (URL name, method) nobody classified, and each row that classifies nothing.

``python -m tests.harness.matrix`` prints the table as markdown (``make access-matrix``; it is
kept in ``docs/access-matrix.md``, and a test fails when that file is stale).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.personas import PERSONAS

ALLOWED = "ok"
LOGIN = "login"
PAGE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A function view without a method decorator answers whatever it is sent.
UNDECLARED_METHODS = ("GET", "POST")

MODULE = "tests.access_matrix"  # inside each app package


@dataclass(frozen=True)
class Row:
    """One (URL name, method) and what each persona gets. ``kwargs`` fill the URL's parameters:
    ``"@name"`` is the pk of the world's object ``name``, ``"@name.attr"`` one of its attributes,
    anything else is used as it is (a slug such as ``step="venue"``)."""

    name: str
    method: str
    expect: str
    data: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None
    format: str = "json"  # API bodies: "json" or "multipart"
    query: str = ""
    note: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    shows: dict[str, str] = field(default_factory=dict)

    def __init__(self, name: str, method: str, expect: str, *, data=None, format="json",
                 query="", note="", source="", shows=None, **kwargs: Any) -> None:  # fmt: skip
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "method", method.upper())
        object.__setattr__(self, "expect", expect)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "format", format)
        object.__setattr__(self, "query", query)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "kwargs", kwargs)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "shows", dict(shows or {}))

    @property
    def expectations(self) -> dict[str, str]:
        tokens = self.expect.split()
        if len(tokens) != len(PERSONAS):
            raise ValueError(f"{self.id}: {len(tokens)} expectations for {len(PERSONAS)} personas")
        for token in tokens:
            if token not in (ALLOWED, LOGIN) and not (token.isdigit() and len(token) == 3):
                raise ValueError(f"{self.id}: unknown expectation {token!r}")
        return dict(zip(PERSONAS, tokens, strict=True))

    @property
    def variant(self) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted(self.kwargs.items()))

    @property
    def id(self) -> str:
        variant = f"[{self.variant}]" if self.variant else ""
        return f"{self.method} {self.name}{variant}"


@dataclass(frozen=True)
class AdminGroup:
    """Every ``admin:`` URL: the walk opens the admin index and each model's change list."""

    expect: str
    note: str = ""
    source: str = ""

    @property
    def expectations(self) -> dict[str, str]:
        return Row("admin:*", "GET", self.expect).expectations


# --- The tables, from every installed app --------------------------------------------------------
def app_modules() -> Iterator[Any]:
    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.{MODULE}"
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            found = None
        if found is not None:
            yield importlib.import_module(name)


def rows() -> list[Row]:
    collected: list[Row] = []
    for module in app_modules():
        for row in getattr(module, "ROWS", ()):
            collected.append(_with_source(row, module.__name__))
    return collected


def admin_groups() -> list[AdminGroup]:
    groups: list[AdminGroup] = []
    for module in app_modules():
        groups += [
            AdminGroup(g.expect, g.note, module.__name__) for g in getattr(module, "ADMIN", ())
        ]
    return groups


def _with_source(row: Row, source: str) -> Row:
    return Row(
        row.name, row.method, row.expect, data=row.data, format=row.format, query=row.query,
        note=row.note, source=source, shows=row.shows, **row.kwargs,
    )  # fmt: skip


def world_builders() -> list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]]:
    return [(m.__name__, m.world) for m in app_modules() if hasattr(m, "world")]


# --- What must be classified: the resolver, the views, the schema ----------------------------------
def _walk(patterns: Iterable[Any], namespace: str | None = None, prefix: str = "") -> Iterator[Any]:
    from django.urls import URLPattern, URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p, prefix + str(p.pattern)


def url_patterns() -> dict[str, tuple[Any, str]]:
    """URL name → (pattern, route), the first of each name (as ``reverse`` picks it)."""
    from django.urls import get_resolver

    found: dict[str, tuple[Any, str]] = {}
    for name, pattern, route in _walk(get_resolver().url_patterns):
        found.setdefault(name, (pattern, route))
    return found


def view_methods(callback: Any) -> tuple[str, ...]:
    """The HTTP methods a view answers (other than HEAD and OPTIONS)."""
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route: its mapped actions the viewset does not turn away
        allowed = getattr(callback.cls, "http_method_names", ())
        return tuple(m for m in PAGE_METHODS if m.lower() in actions and m.lower() in allowed)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        from django.views.generic.edit import ProcessFormView

        methods = []
        for method in PAGE_METHODS:
            handler = getattr(view_class, method.lower(), None)
            if handler is None or method.lower() not in view_class.http_method_names:
                continue
            if method == "PUT" and handler is ProcessFormView.put:
                continue  # Django's form views alias PUT to POST; not a second operation
            methods.append(method)
        return tuple(methods)
    function = callback
    while function is not None:
        try:
            closure = inspect.getclosurevars(function).nonlocals
        except TypeError:
            closure = {}
        if "request_method_list" in closure:  # django.views.decorators.http
            return tuple(m for m in PAGE_METHODS if m in closure["request_method_list"])
        function = getattr(function, "__wrapped__", None)
    return UNDECLARED_METHODS


def schema_operations() -> dict[str, set[str]]:
    """URL name → the methods the OpenAPI schema documents for it."""
    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations: dict[str, set[str]] = {}
    for path, item in schema["paths"].items():
        concrete = path.replace("{id}", "1").replace("{pk}", "1")
        match = resolve(concrete)
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        methods = {m.upper() for m in item if m.upper() in PAGE_METHODS}
        operations.setdefault(name, set()).update(methods)
    return operations


def required() -> dict[tuple[str, str], str]:
    """(URL name, method) → route, for everything the matrix must classify (admin aside)."""
    schema = schema_operations()
    needed: dict[tuple[str, str], str] = {}
    for name, (pattern, route) in url_patterns().items():
        if name.startswith("admin:"):
            continue
        methods = set(view_methods(pattern.callback))
        if name in schema:
            methods |= schema[name]
        for method in methods:
            needed[(name, method)] = route
    return needed


def is_api(route: str) -> bool:
    return route.startswith("api/")


def check_completeness(table: list[Row]) -> tuple[list[str], list[str]]:
    """(unclassified (name, method)s, rows classifying nothing)."""
    needed = required()
    classified = {(r.name, r.method) for r in table}
    missing = [
        f"{method} {name}  (/{route})"
        for (name, method), route in sorted(needed.items())
        if (name, method) not in classified
    ]
    stale = sorted(f"{r.id}  ({r.source})" for r in table if (r.name, r.method) not in needed)
    return missing, stale


# --- Markdown -------------------------------------------------------------------------------------
SHORT = {
    "owner": "owner",
    "other_applicant": "other appl.",
    "inspector": "insp. LD",
    "other_brigade_inspector": "insp. LQ",
    "supervisor": "sup. LD",
    "chief": "detachment",
    "administrator": "admin",
    "legal_officer": "legal",
    "discipline_officer": "discipline",
    "anonymous": "anon.",
}


def _readable(route: str) -> str:
    """A router's regex as a path: ``^permits/(?P<pk>[^/.]+)/decision\\.pdf$`` → ``permits/<pk>/decision.pdf``."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    return route.replace("^", "").replace("$", "").replace("\\.", ".")


def markdown() -> str:
    from django.urls import reverse  # noqa: F401  (Django must be set up)

    table = rows()
    patterns = url_patterns()
    lines = [
        "# Access matrix",
        "",
        "Generated by `make access-matrix` from the apps' `tests/access_matrix.py`; "
        "`tests/harness/test_access_matrix.py` walks every cell with real objects and fails "
        "when this file is stale or a URL is unclassified. `ok`: allowed (2xx, or a redirect "
        "that is not the sign-in page); `login`: sent to sign in; numbers: that status.",
        "",
    ]
    admin = admin_groups()
    names = {r.name for r in table}
    lines.append(
        f"{len(names)} URL names, {len(table)} rows (URL × method × variant) × "
        f"{len(PERSONAS)} personas = {len(table) * len(PERSONAS)} cells"
        + ("; the admin as one group (its index and every change list)." if admin else ".")
    )
    lines.append("")
    header = "| method | URL | " + " | ".join(SHORT[p] for p in PERSONAS) + " |"
    lines += [header, "|" + " --- |" * (len(PERSONAS) + 2)]
    by_source: dict[str, list[Row]] = {}
    for row in table:
        by_source.setdefault(row.source, []).append(row)
    for source, group in by_source.items():
        lines.append(f"| | **{source.removesuffix('.' + MODULE)}** |" + " |" * len(PERSONAS))
        for row in group:
            route = _readable("/" + patterns[row.name][1]) if row.name in patterns else "?"
            variant = f" ({row.variant})" if row.variant else ""
            if row.shows:
                variant += " lists " + ", ".join(f"`{ref}`" for ref in row.shows)
            cells_ = " | ".join(row.expectations[p] for p in PERSONAS)
            lines.append(f"| {row.method} | `{row.name}`{variant} `{route}` | {cells_} |")
    for group in admin:
        cells_ = " | ".join(group.expectations[p] for p in PERSONAS)
        lines.append(f"| GET | `admin:*` (index and every change list) | {cells_} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - make access-matrix
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lishui_fire.settings")
    import django

    django.setup()
    sys.stdout.write(markdown())
