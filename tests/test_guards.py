"""Project-wide guards: what every app must keep true, checked over the whole URL map.

* No model change without its migration.
* Every URL needs a login unless it is on the public allow-list below. A new public page must
  be added here on purpose, so that a forgotten ``@login_required`` cannot slip through.
* Every public HTML page has exactly one ``<h1>``.
* Production settings pass ``check --deploy`` and refuse to start without a SECRET_KEY.
* The OpenAPI schema builds without warnings.
* The security headers are on the pages.
* ``seed_demo`` is refused in production (its idempotency: tests/test_seed_demo.py).
* No kernel file names a domain app: apps plug in through their AppConfig (core/plugins.py).
"""

from __future__ import annotations

import io
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

# Pages and endpoints anyone may open without signing in (by URL name).
PUBLIC_URL_NAMES = {
    "core:index",
    # The measure index pages explain a measure to the public.
    "permits:index",
    "inspections:index",
    "fire_investigation:index",
    "outreach:index",
    "feedback:index",
    "accounts:login",
    # POST-only; signing out when signed out is harmless.
    "accounts:logout",
    "accounts:register",
    "accounts:register_confirm",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "set_language",
    "api-schema",
    "api-docs",
    "api-token",
    # Anyone holding a paper letter checks that it is genuine (number + verification code).
    "core:verify_document",
    # Whom to call and where to go: every unit's hotline and window (issue 9).
    "core:contacts",
    # Free pre-check slots, for anyone before signing in (the home page's 预约体检).
    "permits:public_slots",
    # 进度查询 by reference number and the phone on the case, with an SMS code (issue 9).
    "core:progress",
    "core:progress_code",
    "core:progress_case",
    # 一公开: spot-check plans, their draws, the verification and the published data.
    "inspections:plans",
    "inspections:plan",
    "inspections:plan_verify",
    "inspections:plan_data",
}
# Public API endpoints (双随机一公开 results, visit sessions, the quiet periods API.md opens to
# anyone — writing them needs a supervisor), by path prefix.
PUBLIC_PATH_PREFIXES = (
    "/api/v1/public/",
    "/api/v1/visit-sessions/",
    "/api/v1/documents/verify/",
    "/api/v1/quiet-periods/",
)
# HTML shells drawn by a third-party script, whose headings are not ours.
NO_H1_CHECK = {"api-docs"}

# Values tried for each URL parameter until reverse() accepts one.
DUMMY_VALUES = (1, "x", "json")

BASE_DIR = Path(settings.BASE_DIR)


def _named_patterns(patterns=None, namespace: str | None = None):
    """Yield (full URL name, pattern) for every named URL, skipping the admin site."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue  # the admin has its own login and its own tests
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _named_patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def _parameter_names(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def _concrete_paths() -> dict[str, str]:
    """Every named URL, reversed with dummy values for its parameters."""
    paths: dict[str, str] = {}
    for name, pattern in _named_patterns():
        if name in paths:
            continue
        params = _parameter_names(pattern)
        for values in itertools.product(DUMMY_VALUES, repeat=len(params)):
            try:
                paths[name] = reverse(name, kwargs=dict(zip(params, values, strict=True)))
                break
            except NoReverseMatch:
                continue
    return paths


def _is_public(name: str, path: str) -> bool:
    return name in PUBLIC_URL_NAMES or path.startswith(PUBLIC_PATH_PREFIXES)


def _production_env(**extra: str) -> dict[str, str]:
    # Nothing of the test run's own configuration leaks in (DJANGO_TESTING, the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE, CI's database …): only what a real server would be given.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_")
        and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "REQUIRE_SERVICES"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="guard-test-" + "k" * 53,
        ALLOWED_HOSTS="portal.example.org",
        CSRF_TRUSTED_ORIGINS="https://portal.example.org",
        PORTAL_BASE_URL="https://portal.example.org",
        # Never reached by these commands; a file path keeps them away from shared servers.
        DATABASE_URL="sqlite:////tmp/lishui-guard-never-created.sqlite3",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- Migrations and system checks -----------------------------------------------------------------
@pytest.mark.django_db
def test_no_model_change_lacks_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


# --- Who may open what ---------------------------------------------------------------------------
def test_url_walk_finds_the_known_pages():
    """The walker itself works: it sees pages of several apps with parameters filled in."""
    paths = _concrete_paths()
    assert paths["core:index"] == "/"
    assert paths["accounts:password_reset_confirm"].startswith("/accounts/password/reset/")
    assert "accounts:home" in paths
    assert not any(p.startswith("/admin/") for p in paths.values())
    unreversed = {name for name, _ in _named_patterns()} - paths.keys()
    assert not unreversed, f"add a dummy value that fits these URLs' parameters: {unreversed}"


@pytest.mark.django_db
def test_every_non_public_url_needs_a_login(client):
    login_url = reverse(settings.LOGIN_URL)
    offenders = []
    for name, path in sorted(_concrete_paths().items()):
        if _is_public(name, path):
            continue
        response = client.get(path)
        if path.startswith("/api/"):
            ok = response.status_code in (401, 403)
        else:
            ok = response.status_code == 302 and response["Location"].startswith(login_url)
        if not ok:
            offenders.append(f"{name} {path} → {response.status_code}")
    assert not offenders, "reachable without login (add a login check, or allow-list it):\n" + (
        "\n".join(offenders)
    )


@pytest.mark.django_db
def test_every_public_html_page_has_exactly_one_h1(client):
    offenders = []
    checked = 0
    for name, path in sorted(_concrete_paths().items()):
        if not _is_public(name, path) or name in NO_H1_CHECK:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        count = len(re.findall(r"<h1[\s>]", response.content.decode()))
        if count != 1:
            offenders.append(f"{name} {path}: {count} <h1>")
    assert checked >= 5
    assert not offenders, "\n".join(offenders)


@pytest.mark.django_db
def test_home_page_sends_the_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


# --- Production settings -----------------------------------------------------------------------
def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env=_production_env(SECRET_KEY="too-short"))
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_the_portal_address():
    """The QR code on every official letter points there: a default would print a wrong one."""
    env = _production_env()
    del env["PORTAL_BASE_URL"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "PORTAL_BASE_URL" in result.stderr
    result = _manage("check", env=_production_env(PORTAL_BASE_URL="http://portal.example.org"))
    assert result.returncode != 0
    assert "PORTAL_BASE_URL must be an https:// address" in result.stderr


# --- API schema ----------------------------------------------------------------------------------
def test_openapi_schema_builds_without_warnings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ENV"}
    schema = tmp_path / "schema.yml"
    result = _manage("spectacular", "--validate", "--fail-on-warn", "--file", str(schema), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "openapi: 3" in schema.read_text(encoding="utf-8")


# --- Demo data -----------------------------------------------------------------------------------
# Seeding twice creates nothing new: tests/test_seed_demo.py (with the demo world seeded once).
@pytest.mark.django_db
def test_seed_demo_refuses_when_not_allowed(settings):
    settings.SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="refused"):
        call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_refused_under_production_settings():
    result = _manage("seed_demo", env=_production_env())
    assert result.returncode != 0
    assert "seed_demo is refused" in result.stderr


# --- The kernel names no domain app ---------------------------------------------------------------
# The kernel: code and templates every app builds on. Its tests may walk through the whole portal.
KERNEL_APPS = {"lishui_fire.core", "lishui_fire.accounts"}
KERNEL_PATHS = ("lishui_fire/core", "lishui_fire/accounts", "lishui_fire", "templates")
# lishui_fire/urls.py includes each app's URLs (and settings.INSTALLED_APPS lists the apps).
KERNEL_EXEMPT = {"lishui_fire/urls.py"}


def _domain_apps() -> list[Any]:
    from django.apps import apps

    return [
        config
        for config in apps.get_app_configs()
        if config.name not in KERNEL_APPS
        and "site-packages" not in config.path
        and Path(config.path).resolve().is_relative_to(BASE_DIR.resolve())
    ]


def _kernel_files() -> list[Path]:
    files: set[Path] = set()
    for top in KERNEL_PATHS:
        root = BASE_DIR / top
        pattern = "*" if top == "lishui_fire" else "**/*"
        for path in root.glob(pattern):
            relative = path.relative_to(BASE_DIR)
            if (
                path.is_file()
                and path.suffix in {".py", ".html", ".txt"}
                and "tests" not in relative.parts
                and str(relative) not in KERNEL_EXEMPT
            ):
                files.add(path)
    return sorted(files)


def _mentions(text: str, config: Any) -> list[str]:
    # A reference, not a word: permits.models, "permits:index", permits/…html, from permits import.
    names = "|".join(re.escape(n) for n in {config.name, config.label})
    pattern = re.compile(rf"(?<![\w.])(?:{names})(?=[.:/][\w{{]|\s+import\b)")
    return pattern.findall(text)


def test_the_guard_sees_the_domain_apps_and_the_kernel():
    labels = {config.label for config in _domain_apps()}
    assert {"permits", "inspections", "fire_investigation", "outreach", "feedback"} <= labels
    assert not labels & {"core", "accounts", "admin", "auth"}
    files = {str(p.relative_to(BASE_DIR)) for p in _kernel_files()}
    assert {"lishui_fire/core/views.py", "lishui_fire/settings.py", "templates/base.html"} <= files
    assert "lishui_fire/urls.py" not in files
    permits = next(c for c in _domain_apps() if c.label == "permits")
    assert _mentions('reverse("permits:index") from permits import x', permits)
    assert not _mentions("the permits rely on it; Count('permits')", permits)


def test_no_kernel_file_names_a_domain_app():
    """Apps plug in their links, panels, demo data, schedules and reference data through their
    AppConfig (lishui_fire/core/plugins.py); the kernel never names them."""
    offenders = []
    domain = _domain_apps()
    for path in _kernel_files():
        text = path.read_text(encoding="utf-8")
        if path.name == "settings.py":
            text = re.sub(
                r"INSTALLED_APPS = \[.*?\n\]",
                lambda m: "\n" * m.group(0).count("\n"),
                text,
                flags=re.DOTALL,
            )
        for number, line in enumerate(text.splitlines(), start=1):
            for config in domain:
                if _mentions(line, config):
                    relative = path.relative_to(BASE_DIR)
                    offenders.append(f"{relative}:{number}: {config.label}: {line.strip()}")
    assert not offenders, "the kernel names a domain app (plug it in instead):\n" + "\n".join(
        offenders
    )


def test_an_app_module_the_kernel_would_look_for_is_declared_on_its_appconfig():
    """A ``demo.py`` or ``schedules.py`` that no AppConfig names would silently never run."""
    import importlib.util

    from django.apps import apps

    missing = []
    for config in apps.get_app_configs():
        for module, attribute in (("demo", "demo"), ("schedules", "beat_schedule")):
            if importlib.util.find_spec(f"{config.name}.{module}") is None:
                continue
            if not getattr(config, attribute, None):
                missing.append(f"{config.name}.{module}: set {type(config).__name__}.{attribute}")
    assert not missing, "\n".join(missing)


# --- Background tasks in tests ------------------------------------------------------------------
def test_tasks_run_in_process_in_tests_not_marked_celery_worker():
    """Even with REDIS_URL set (CI), a task sent by an ordinary test runs at once, in-process.

    Without conftest's eager fixture it would wait in Redis for a worker that never comes.
    """
    from lishui_fire.celery import app

    ran = []

    @app.task(name="tests.guard_probe")
    def probe(value):
        ran.append(value)

    probe.delay(7)
    assert ran == [7]


def test_first_migrate_on_a_fresh_clone_creates_the_sqlite_folder(tmp_path):
    """A fresh clone has no var/ (ignored by git); `make run` starts with `migrate`."""
    import os

    database = tmp_path / "not-yet" / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_ENV="local", DATABASE_URL=f"sqlite:///{database}")
    result = _manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert database.is_file()
