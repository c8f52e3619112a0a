"""The access matrix (tests/harness/matrix.py): every URL × method × persona, walked with real
objects.

* Completeness: every (URL name, method) the resolver, the views and the OpenAPI schema offer has
  a row in some app's ``tests/access_matrix.py``; a new URL fails here until it is classified.
* The walk: one test per row; each persona's request runs in a savepoint of its own, rolled back,
  on one world built once for the module (every app's ``world``), so a POST that changes the
  world changes it for nobody else.
* ``docs/access-matrix.md`` is the table as ``make access-matrix`` prints it.
"""

from __future__ import annotations

import http.cookies
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from tests.harness import matrix
from tests.personas import PERSONAS

TABLE = matrix.rows()
ADMIN = matrix.admin_groups()
DOC = Path(settings.BASE_DIR) / "docs" / "access-matrix.md"


# --- Completeness ----------------------------------------------------------------------------------
def test_every_url_and_method_is_classified():
    missing, stale = matrix.check_completeness(TABLE)
    assert not missing, (
        "unclassified (add a Row to the app's tests/access_matrix.py):\n  " + "\n  ".join(missing)
    )
    assert not stale, "rows that classify no URL or method:\n  " + "\n  ".join(stale)


def test_a_new_url_fails_until_someone_classifies_it(settings):
    """The check itself: a page added to the URL map shows up, with the methods it accepts."""
    import sys
    import types

    from django.http import HttpResponse
    from django.urls import include, path
    from django.views.decorators.http import require_POST

    @require_POST
    def probe(request):
        return HttpResponse()

    module = types.ModuleType("matrix_probe_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("matrix-probe/<int:pk>/", probe, name="matrix-probe"),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[module.__name__] = module
    try:
        settings.ROOT_URLCONF = module.__name__
        gone = matrix.Row("permits:no-such-page", "GET", " ".join(["ok"] * len(PERSONAS)))
        missing, stale = matrix.check_completeness([*TABLE, gone])
    finally:
        del sys.modules[module.__name__]
    assert missing == ["POST matrix-probe  (/matrix-probe/<int:pk>/)"]
    assert stale == ["GET permits:no-such-page  ()"]


def test_the_admin_is_classified_as_a_group():
    assert len(ADMIN) == 1, "one app (accounts) classifies the admin by its prefix"


def test_rows_are_well_formed_and_unique():
    seen: dict[str, str] = {}
    for row in TABLE:
        row.expectations  # noqa: B018 - raises on a malformed row
        assert row.id not in seen, f"{row.id} twice: {row.source} and {seen[row.id]}"
        seen[row.id] = row.source


def test_the_walker_finds_methods_from_views_and_schema():
    needed = matrix.required()
    assert ("permits:queue", "GET") in needed
    assert ("permits:queue", "POST") not in needed  # @require_GET
    assert ("permits:withdraw_application", "POST") in needed  # require_http_methods
    assert ("core:index", "POST") in needed  # no decorator: any method reaches the view
    assert ("permit-detail", "PATCH") in needed  # the schema
    assert ("accounts:login", "PUT") not in needed  # Django's form views alias PUT to POST
    assert not any(name.startswith("admin:") for name, _ in needed)


def test_table_size(request):
    cells = len(TABLE) * len(PERSONAS)
    admin = _admin_paths()
    names = {row.name for row in TABLE}
    line = (
        f"access matrix: {len(names)} URL names, {len(TABLE)} rows (URL × method × variant) × "
        f"{len(PERSONAS)} personas = {cells} cells; admin: {len(admin)} pages × "
        f"{len(PERSONAS)} = {len(admin) * len(PERSONAS)}"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)
    assert cells >= 1000


def test_the_markdown_copy_is_up_to_date():
    expected = matrix.markdown()
    assert DOC.exists(), "docs/access-matrix.md is missing: run `make access-matrix`"
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/access-matrix.md is stale: run `make access-matrix`"
    )


# --- The world ----------------------------------------------------------------------------------
def _make_personas() -> dict[str, Any]:
    from lishui_fire.accounts.models import OrgUnit, Role, User

    spec = {
        "owner": (Role.APPLICANT, None, "matrix-owner"),
        "other_applicant": (Role.APPLICANT, None, "matrix-other"),
        "inspector": (Role.INSPECTOR, "LD", "matrix-inspector-ld"),
        "other_brigade_inspector": (Role.INSPECTOR, "LQ", "matrix-inspector-lq"),
        "supervisor": (Role.BRIGADE_SUPERVISOR, "LD", "matrix-supervisor-ld"),
        "chief": (Role.DETACHMENT_SUPERVISOR, "LS", "matrix-chief"),
        "administrator": (Role.ADMINISTRATOR, None, "matrix-admin"),
        "legal_officer": (Role.LEGAL_OFFICER, "LD", "matrix-legal-ld"),
        "discipline_officer": (Role.DISCIPLINE_OFFICER, "LS", "matrix-discipline-ls"),
    }
    personas: dict[str, Any] = {"anonymous": None}
    for n, (persona, (role, unit, username)) in enumerate(spec.items(), start=1):
        user = User(
            username=username,
            role=role,
            real_name=f"矩阵用户{n}",
            phone=f"139{n:08d}" if role == Role.APPLICANT else "",
            email=f"{username}@example.org",
            org_unit=OrgUnit.objects.get(code=unit) if unit else None,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        user.set_password("lishui-matrix-2026!")
        user.save()
        personas[persona] = user
    return personas


class _Caller:
    """One signed-in page client and one API client per persona, made once for the module; the
    session cookie is put back before every request (a POST to sign out must not sign the
    persona out of the rows after it)."""

    def __init__(self, personas: dict[str, Any]):
        from django.test import Client
        from rest_framework.test import APIClient

        self.pages: dict[str, Any] = {}
        self.api: dict[str, Any] = {}
        self.cookies: dict[str, str] = {}
        for persona, user in personas.items():
            client = Client()
            api = APIClient()
            if user is not None:
                client.force_login(
                    user, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend"
                )
                api.force_authenticate(user)
            self.pages[persona] = client
            self.api[persona] = api
            self.cookies[persona] = client.cookies.output(header="", sep=";")

    def __call__(self, persona: str, row: matrix.Row, path: str, data: Any) -> Any:
        client = self.pages[persona]
        client.cookies = http.cookies.SimpleCookie(self.cookies[persona])
        if path.startswith("/api/v1/"):
            api = self.api[persona]
            call = getattr(api, row.method.lower())
            if row.method == "GET":
                return call(path)
            return call(path, data, format=row.format)
        call = getattr(client, row.method.lower())
        if row.method == "GET":
            return call(path)
        return call(path, data or {})


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Personas, every app's objects, and the clients — built once, rolled back at the end."""
    from django.test import TestCase, override_settings

    from conftest import celery_eager
    from lishui_fire.core.calendar import invalidate_calendar_cache
    from lishui_fire.core.reference_data import ensure_reference_data

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"))
    media.enable()
    with django_db_blocker.unblock():
        invalidate_calendar_cache()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ensure_reference_data()
            personas = _make_personas()
            world: dict[str, Any] = {"personas": personas}
            with celery_eager(), TestCase.captureOnCommitCallbacks(execute=True):
                for source, build in matrix.world_builders():
                    made = build(personas)
                    clash = set(made) & set(world)
                    assert not clash, f"{source}: world names taken already: {clash}"
                    world.update(made)
            caller = _Caller(personas)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()
            raise
    yield world, caller
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    media.disable()


@pytest.fixture
def _no_throttling(monkeypatch):
    """Rate limits are not access rules (tests/…throttle tests cover them): one walk sends the
    anonymous API more requests than its per-minute allowance."""
    from rest_framework.throttling import SimpleRateThrottle

    from lishui_fire.core.throttling import CountingThrottle

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(CountingThrottle, "allow_request", lambda self, request, view: True)


# --- The walk -------------------------------------------------------------------------------------
def _resolve(value: Any, world: dict[str, Any]) -> Any:
    if not (isinstance(value, str) and value.startswith("@")):
        return value
    name, _, attribute = value[1:].partition(".")
    target = world[name]
    for part in (attribute or "pk").split("."):
        target = getattr(target, part)
    return target


def _outcome(response: Any, path: str) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = response.get("Location", "")
        login = (
            reverse("admin:login") if path.startswith("/admin/") else reverse(settings.LOGIN_URL)
        )
        return matrix.LOGIN if location.startswith(login) else matrix.ALLOWED
    if 200 <= status < 300:
        return matrix.ALLOWED
    return str(status)


def _why(response: Any) -> str:
    """A hint for a failing cell: the form errors of a page, the body of an API answer."""
    errors = []
    for context in getattr(response, "context", None) or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if getattr(value, "errors", None) and hasattr(value, "is_bound"):
                errors.append(value.errors.get_json_data())
    if errors:
        return str(errors[0])[:300]
    if response.status_code in (301, 302, 303):
        return f"→ {response.get('Location')}"
    body = getattr(response, "content", b"") if not getattr(response, "streaming", False) else b""
    return body.decode(errors="replace")[:200]


def _drain(response: Any) -> None:
    """Read a streamed file to its end: the test client's wrapper then closes it (with the
    connection-closing signal handler detached — ``response.close()`` here would close the
    database connection in the middle of the module's transaction on PostgreSQL)."""
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def _listed(response: Any, path: str, value: Any) -> bool:
    """Whether a list shows ``value``: an API list by ``id``, a page by its text."""
    if path.startswith("/api/"):
        return any(item.get("id") == value for item in response.json()["results"])
    return str(value) in response.content.decode()


def _walk(
    world: dict[str, Any],
    caller: _Caller,
    row: Any,
    path: str,
    accept: dict[str, set[str]] | None = None,
) -> list[str]:
    """Each persona's request in a savepoint of its own; the cells that came out otherwise.
    ``accept``: the outcomes each persona may get, in place of the row's own."""
    wrong = []
    if accept is None:
        accept = {persona: {token} for persona, token in row.expectations.items()}
    shows = {ref: matrix.Row(row.name, "GET", sees).expectations for ref, sees in row.shows.items()}
    for persona in PERSONAS:
        if persona not in accept:
            continue
        expected = "|".join(sorted(accept[persona]))
        data = row.data(world) if callable(row.data) else row.data
        with transaction.atomic():
            response = caller(persona, row, path, data)
            transaction.set_rollback(True)
        got = _outcome(response, path)
        if got in accept[persona] and got == matrix.ALLOWED and response.status_code == 200:
            for ref, sees in shows.items():
                listed = _listed(response, path, _resolve(ref, world))
                if listed != (sees[persona] == matrix.ALLOWED):
                    wrong.append(
                        f"{persona}: {ref} {'shown' if listed else 'not shown'} in the list"
                    )
        _drain(response)
        if got not in accept[persona]:
            detail = ""
            if got in ("400", "409") or (got == matrix.ALLOWED and expected != matrix.ALLOWED):
                detail = f"  {_why(response)}"
            wrong.append(
                f"{persona}: expected {expected}, got {got} ({response.status_code}){detail}"
            )
    return wrong


@pytest.mark.usefixtures("_no_throttling")
@pytest.mark.parametrize("row", TABLE, ids=[row.id for row in TABLE])
def test_access(row, matrix_world, db):
    world, caller = matrix_world
    kwargs = {key: _resolve(value, world) for key, value in row.kwargs.items()}
    query = row.query(world) if callable(row.query) else row.query
    path = reverse(row.name, kwargs=kwargs) + (f"?{query}" if query else "")
    wrong = _walk(world, caller, row, path)
    assert not wrong, f"{row.id} {path} ({row.source}):\n  " + "\n  ".join(wrong)


MISSING = 987_654_321
BY_REFERENCE = [row for row in TABLE if any(str(v).startswith("@") for v in row.kwargs.values())]


@pytest.mark.usefixtures("_no_throttling")
@pytest.mark.parametrize("row", BY_REFERENCE, ids=[row.id for row in BY_REFERENCE])
def test_a_missing_object_answers_like_one_out_of_scope(row, matrix_world, db):
    """The same URL with ids that exist nowhere: 404 for everyone who may open the object and
    everyone outside its scope, so a 404 for another brigade's or applicant's object tells
    nothing about whether it exists."""
    world, caller = matrix_world
    kwargs = {k: MISSING if str(v).startswith("@") else v for k, v in row.kwargs.items()}
    path = reverse(row.name, kwargs=kwargs)
    # Asked of those who may open the object or get 404 for it (the others are turned away
    # before the object is looked up, for a role or a sign-in, and the walk checked that).
    accept = {
        persona: {"404"}
        for persona, token in row.expectations.items()
        if token in (matrix.ALLOWED, "404")
    }
    wrong = _walk(world, caller, row, path, accept=accept)
    assert not wrong, f"{row.id} {path} ({row.source}):\n  " + "\n  ".join(wrong)


def _admin_paths() -> list[str]:
    from django.contrib import admin

    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return paths


@pytest.mark.parametrize("group", ADMIN, ids=["admin"] * len(ADMIN))
def test_admin(group, matrix_world, db):
    world, caller = matrix_world
    row = matrix.Row("admin:*", "GET", group.expect)
    wrong = []
    for path in _admin_paths():
        wrong += [f"{path} {w}" for w in _walk(world, caller, row, path)]
    assert not wrong, "\n".join(wrong)


def test_markdown_renders_every_row():
    out = io.StringIO(matrix.markdown())
    text = out.getvalue()
    for row in TABLE:
        assert f"`{row.name}`" in text
