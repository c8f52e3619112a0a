"""Real-browser journeys: Playwright (sync API) driving Debian's chromium against ``live_server``.

Fixtures for journey tests (mark each test ``@pytest.mark.browser`` and
``@pytest.mark.django_db(transaction=True)``: the live server runs in another thread, so the
test's data must be committed; the root conftest puts back migration-seeded brigades and
calendars after each flush):

* ``browser``       — session-wide Chromium (skipped, or failed under REQUIRE_SERVICES, if absent).
* ``page``          — desktop page, 1280×800, locale zh-CN, ``base_url`` = the live server, so
                      ``page.goto("/accounts/login/")`` works. Screenshot on failure.
* ``phone_page``    — the same on a 390×844 touch phone (is_mobile, has_touch).
* ``new_page(**context_options)`` — any other context (e.g. ``locale="en-US"``).
* ``log_in(page, username, password=PASSWORD)`` — signs in through the real login form.
* ``artifact_path(name)`` — a path under var/test-artifacts/ for screenshots worth keeping.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop running in the test thread, and Django refuses ORM
# calls from a thread with a running loop. The ORM calls here are ordinary synchronous test code
# (fixtures creating users), so the guard is a false alarm for these tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def skip_or_fail(reason: str) -> None:
    """The root conftest's rule, repeated here because it is not importable as a module path."""
    from django.conf import settings

    if settings.REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(_reports, {})
    return any(r.failed for r in reports.values())


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:150]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        skip_or_fail(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        skip_or_fail(f"chromium did not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def artifact_path() -> Callable[[str], Path]:
    def make(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        return ARTIFACTS / name

    return make


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Any, live_server: Any
) -> Iterator[Callable[..., Any]]:
    """``new_page(**context_options)`` opens a page in a fresh context (own cookies)."""
    contexts: list[tuple[Any, Any]] = []

    def make(**options: Any) -> Any:
        options = {"locale": "zh-CN", "viewport": DESKTOP, "base_url": live_server.url} | options
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        contexts.append((context, page))
        return page

    yield make
    failed = _failed(request)
    for n, (context, page) in enumerate(contexts):
        if failed:
            path = ARTIFACTS / f"FAILED-{_safe_name(request.node.nodeid)}-{n}.png"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            # A failed screenshot must never hide the test's own failure.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(path), full_page=True)
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Any]) -> Any:
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def log_in() -> Callable[..., None]:
    """Sign in through the real form, as a person would; waits for the landing page."""
    from conftest import PASSWORD

    def do(page: Any, username: str, password: str = PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label(re.compile("用户名|Username")).fill(username)
        page.get_by_label(re.compile("^密码|^Password")).fill(password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

    return do
